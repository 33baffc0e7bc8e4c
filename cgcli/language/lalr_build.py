"""Generate `cgcli.language.lalr_tables`: Lark's LALR tables for grammar/expr.lark, built ahead of time.

Building the tables from the grammar costs more than the rest of a ``grad``
run, so they are built once, here, and checked in as plain Python literals
(no pickle, no cache file in a shared temporary directory).  After editing
grammar/expr.lark, regenerate them::

    python -m cgcli.language.lalr_build

tests/test_parser_tables.py fails while the checked-in tables are stale; until
they are regenerated the parser notices the changed grammar (the file keeps
the grammar's text to compare) or a different Lark, and builds the tables at start-up instead: slower, never
wrong.  (Lark numbers its states in set order, so two runs may write different
but equivalent files; the test compares what they parse, not their bytes.)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .grammar import OPTIONS, grammar_text, stale

OUTPUT = Path(__file__).resolve().parent / "lalr_tables.py"

HEADER = '''"""Lark's LALR tables for grammar/expr.lark. GENERATED: do not edit.

Regenerate after editing the grammar:  python -m cgcli.language.lalr_build
(tests/test_parser_tables.py checks that this file is current.)
"""

# ruff: noqa
# fmt: off
from typing import Any

'''


def serialize(text: str) -> tuple[dict[str, Any], dict[Any, Any]]:
    """Build the LALR parser for grammar ``text`` and return Lark's (data, memo) literals."""
    from lark import Lark
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    data, memo = Lark(text, **OPTIONS).memo_serialize([TerminalDef, Rule])
    return data, memo


def generate(text: str) -> str:
    """The source of `cgcli.language.lalr_tables` for grammar ``text``."""
    import pprint

    import lark

    data, memo = serialize(text)
    return (
        HEADER
        + f"GRAMMAR = {text!r}\n"
        + f"LARK_VERSION = {lark.__version__!r}\n\n"
        + f"DATA: dict[str, Any] = {pprint.pformat(data, width=120)}\n\n"
        + f"MEMO: dict[Any, Any] = {pprint.pformat(memo, width=120)}\n"
    )


def main(argv: list[str] | None = None) -> int:
    """Write cgcli/language/lalr_tables.py from grammar/expr.lark; with --check, exit 1 if it is stale."""
    from . import lalr_tables

    args = sys.argv[1:] if argv is None else argv
    text = grammar_text()
    if "--check" in args:
        reason = stale(lalr_tables, text)
        advice = f"{reason}; run python -m cgcli.language.lalr_build" if reason else "current"
        print(f"{OUTPUT}: {advice}", file=sys.stderr)
        return int(bool(reason))
    OUTPUT.write_text(generate(text), encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
