"""Lark's parse errors -> one clear `ParseError`: the column, what was
found, what would have been right, and a hint for the usual slips (``2x``)."""

from __future__ import annotations

from collections.abc import Callable

from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ..errors import ParseError

# How Lark's terminal names read in a message.
_TERMINALS = {
    "NUMBER": "a number",
    "NAME": "a name",
    "LPAR": "'('",
    "RPAR": "')'",
    "PLUS": "'+'",
    "_MINUS": "'-'",
    "_TIMES": "'*'",
    "_DIVIDE": "'/'",
    "_POW": "'^'",
    "COMMA": "','",
    "$END": "the end",
}
_OPERAND = {"NUMBER", "NAME", "LPAR"}

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")

#: characters pasted from documents or code that cgcli does not read, and what to do instead
_INSTEAD = {
    "√": "write sqrt(...)",
    "π": "write pi",
    "∗": "write *",
    "–": "write -",
    "—": "write -",
    "‐": "write -",
    "`": "quotes and backticks belong to the shell, not to the expression",
    "'": "quotes and backticks belong to the shell, not to the expression",
    '"': "quotes and backticks belong to the shell, not to the expression",
}


def parse_error(text: str, e: UnexpectedInput, accepted: Callable[[str], set[str]]) -> ParseError:
    """A ParseError for Lark's error ``e``; ``accepted(prefix)`` gives the terminals that may follow."""
    pos = e.pos_in_stream if e.pos_in_stream is not None else len(text)
    if isinstance(e, UnexpectedCharacters):
        char = text[pos] if pos < len(text) else ""
        reason = f"unexpected character {char!r}" + (f" (U+{ord(char):04X})" if char and not char.isascii() else "")
        instead = _instead(text, pos)
        if instead:
            return ParseError(text, pos, reason, instead)
        expected = set(e.allowed or ())
    elif isinstance(e, UnexpectedToken) and e.token.type != "$END":
        reason = f"unexpected {str(e.token)!r}"
        expected = set(e.expected)
    else:
        pos = len(text.rstrip())
        reason = "unexpected end of expression" if text.strip() else "empty expression"
        expected = set(getattr(e, "expected", ()) or ())
    return ParseError(text, pos, reason, _hint(text, pos, e, accepted(text[:pos]) or expected))


def _instead(text: str, pos: int) -> str:
    """A hint for a character that looks like an operator but is not one cgcli reads."""
    char = text[pos]
    if char in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺":
        end = pos
        while end < len(text) and text[end] in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺":
            end += 1
        return f"write a power as ^{text[pos:end].translate(_SUPERSCRIPTS)}, not {text[pos:end]}"
    return _INSTEAD.get(char, "")


def _hint(text: str, pos: int, e: UnexpectedInput, expected: set[str]) -> str:
    before = text[:pos].rstrip()
    after = text[pos:]
    # 2x, 2(x+1), (a)(b): juxtaposition is not multiplication here
    juxtaposed = before and (before[-1].isalnum() or before[-1] in "._)")
    if isinstance(e, UnexpectedToken) and e.token.type in _OPERAND and juxtaposed:
        return f"did you mean {before[-12:].lstrip()}*{after[:12].rstrip()}? write * between factors"
    if isinstance(e, UnexpectedToken) and e.token.type == "EQUAL":
        return "a statement defines one name, as q = x + y; give variables after the program, as x=1"
    shown = sorted(_TERMINALS.get(t, t) for t in expected if t in _TERMINALS)
    if not shown:
        return ""
    if len(shown) > 1:
        return "expected " + ", ".join(shown[:-1]) + " or " + shown[-1]
    return "expected " + shown[0]
