"""Which line breaks end a statement.

A line break is a statement separator (the grammar's ``NL``) only where a
statement can end; everywhere else it is whitespace, so that one long
expression may still span lines.  It is whitespace:

- inside parentheses;
- after an operator, a comma, ``=``, ``(`` or ``;`` (and at the very start);
- before a line that begins with an operator (``+ - * / ^ **``, pasted
  forms included) or ``)``;
- between a function's name and a ``(`` on the next line (``sin`` /
  ``(x)``): that was a call before programs existed, and every expression
  that parsed then still parses to the same graph.  (After any other name,
  ``q = w`` / ``(x + y) * z``, the line break ends the statement.)

The rule is written over token kinds (Lark's names for the grammar's
terminals), once, here: `Newlines` applies it to Lark's token stream (a
Lark ``postlex``), and `cgcli.language.lalr.Driver` applies the same sets
inline, for speed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..core.ops import FUNCTIONS

#: the grammar's line-break terminal
NL = "NL"
#: token kinds after which a line break is whitespace (a statement cannot end there)
OPEN = frozenset({"PLUS", "_MINUS", "_TIMES", "_DIVIDE", "_POW", "LPAR", "COMMA", "EQUAL", "SEMICOLON", NL, ""})
#: token kinds which, beginning a line, continue the statement of the line before
CONTINUES = frozenset({"PLUS", "_MINUS", "_TIMES", "_DIVIDE", "_POW", "RPAR"})


def separates(depth: int, last: str, last_text: str, following: str) -> bool:
    """Whether a line break ends a statement: between a token ``last_text`` of kind ``last``
    and one of kind ``following``, at parenthesis ``depth``."""
    if depth > 0 or last in OPEN or following in CONTINUES:
        return False
    return not (following == "LPAR" and last == "NAME" and last_text in FUNCTIONS)


class Newlines:
    """Lark's postlexer: keep the line breaks that separate statements, drop the others."""

    always_accept = (NL,)

    def process(self, stream: Iterator[Any]) -> Iterator[Any]:
        depth, last, pending = 0, None, None
        for token in stream:
            kind = token.type
            if kind == NL:
                pending = pending or token
                continue
            if pending is not None and separates(depth, last.type if last else "", str(last), kind):
                yield pending
            pending = None
            if kind == "LPAR":
                depth += 1
            elif kind == "RPAR":
                depth -= 1
            last = token
            yield token
        # a line break before the end ends nothing: dropped
