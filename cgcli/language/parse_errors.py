"""Syntax errors -> one clear `ParseError`: the column, what was found,
what would have been right, and a hint for the usual slips (``2x``).

The fast driver reports where it stopped (`cgcli.language.lalr.Unexpected`)
and Lark raises its own exceptions; both become the same message here
(`describe`), so that which of the two found the error never shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import ParseError
from .lalr import Unexpected
from .suggest import call_hint

if TYPE_CHECKING:
    from lark.exceptions import UnexpectedInput

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
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    pos = e.pos_in_stream if e.pos_in_stream is not None else len(text)
    if isinstance(e, UnexpectedCharacters):
        where = Unexpected("character", pos)
        expected = set(e.allowed or ())
    elif isinstance(e, UnexpectedToken) and e.token.type != "$END":
        where = Unexpected("token", pos, e.token.type, str(e.token))
        expected = set(e.expected)
    else:
        where = Unexpected("end", pos)
        expected = set(getattr(e, "expected", ()) or ())
    return describe(text, where, lambda prefix: accepted(prefix) or expected)


def describe(text: str, where: Unexpected, accepted: Callable[[str], set[str]]) -> ParseError:
    """The ParseError for a syntax error ``where``; ``accepted(prefix)`` gives the terminals that may follow."""
    pos = where.pos
    if where.kind == "character":
        char = text[pos] if pos < len(text) else ""
        reason = f"unexpected character {char!r}" + (f" (U+{ord(char):04X})" if char and not char.isascii() else "")
        instead = _instead(text, pos)
        if instead:
            return ParseError(text, pos, reason, instead)
    elif where.kind == "token":
        reason = f"unexpected {where.token_text!r}"
    else:
        pos = len(text.rstrip())
        reason = "unexpected end of expression" if text.strip() else "empty expression"
    return ParseError(text, pos, reason, _hint(text, pos, where, accepted(text[:pos])))


def _instead(text: str, pos: int) -> str:
    """A hint for a character that looks like an operator but is not one cgcli reads."""
    char = text[pos]
    if char in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺":
        end = pos
        while end < len(text) and text[end] in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺":
            end += 1
        return f"write a power as ^{text[pos:end].translate(_SUPERSCRIPTS)}, not {text[pos:end]}"
    return _INSTEAD.get(char, "")


def _hint(text: str, pos: int, where: Unexpected, expected: set[str]) -> str:
    before = text[:pos].rstrip()
    after = text[pos:]
    # 2x, 2(x+1), (a)(b): juxtaposition is not multiplication here
    juxtaposed = before and (before[-1].isalnum() or before[-1] in "._)")
    if where.kind == "token" and where.token_type in _OPERAND and juxtaposed:
        called = call_hint(before, where.token_text) if where.token_type != "LPAR" else ""  # sin x: call it
        return called or f"did you mean {before[-12:].lstrip()}*{after[:12].rstrip()}? write * between factors"
    if where.kind == "token" and where.token_type == "EQUAL":
        return "a statement defines one name, as q = x + y; give variables after the program, as x=1"
    shown = sorted(_TERMINALS.get(t, t) for t in expected if t in _TERMINALS)
    if not shown:
        return ""
    if len(shown) > 1:
        return "expected " + ", ".join(shown[:-1]) + " or " + shown[-1]
    return "expected " + shown[0]
