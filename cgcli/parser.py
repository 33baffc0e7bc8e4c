"""Text -> `Graph`, with Lark's LALR parser and the grammar in grammar/expr.lark.

The `Builder` runs *during* the parse (Lark's ``transformer=`` option for
LALR): each reduction of a grammar alias adds one graph node and hands its
id up, so no parse tree is ever built and nothing recurses, however deep
the nesting.  Lark's errors become `ParseError`s that point at a column.
"""

from __future__ import annotations

import difflib
import math
import threading
from pathlib import Path

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput

from .errors import ParseError, UsageError
from .graph import Graph
from .ops import FUNCTIONS, OPS, VARIADIC
from .parse_errors import parse_error

#: the longest expression cgcli reads, in characters (see README, "Limits")
MAX_LENGTH = 2_000_000


def grammar_path() -> Path:
    """grammar/expr.lark: inside the installed package, or at the top of a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "grammar" / "expr.lark", here.parent / "grammar" / "expr.lark"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("grammar/expr.lark is missing from the installation")


class Builder(Transformer[Token, int]):
    """One method per grammar alias; each adds a node to ``self.graph``."""

    def __init__(self) -> None:
        super().__init__()
        self.graph = Graph()
        self.text = ""

    def _at(self, token: Token, reason: str, hint: str = "") -> ParseError:
        return ParseError(self.text, token.start_pos or 0, reason, hint)

    def number(self, children: list[Token]) -> int:
        (token,) = children
        value = float(token)
        if math.isinf(value):
            raise self._at(token, f"number {token} is too large", "the largest is about 1.8e308")
        return self.graph.constant(value, str(token))

    def name(self, children: list[Token]) -> int:
        (token,) = children
        if token in FUNCTIONS:
            raise self._at(token, f"{token} is a function", f"call it: {token}(...)")
        return self.graph.variable(str(token))

    def call(self, children: list[Token | int | None]) -> int:
        token, *rest = children
        assert isinstance(token, Token)
        args = [a for a in rest if a is not None]
        op = FUNCTIONS.get(str(token))
        if op is None:
            close = difflib.get_close_matches(str(token), FUNCTIONS, n=1)
            hint = f"did you mean {close[0]}?" if close else "functions: " + ", ".join(sorted(FUNCTIONS))
            raise self._at(token, f"unknown function {token}", hint)
        if op.arity == VARIADIC and not args:
            raise self._at(token, f"{token} takes one or more arguments, got none")
        if op.arity not in (VARIADIC, len(args)):
            plural = "argument" if op.arity == 1 else "arguments"
            raise self._at(token, f"{token} takes {op.arity} {plural}, got {len(args)}")
        return self.graph.apply(op, *args)  # type: ignore[arg-type]

    def add(self, children: list[int]) -> int:
        return self.graph.apply(OPS["add"], *children)

    def sub(self, children: list[int]) -> int:
        return self.graph.apply(OPS["sub"], *children)

    def mul(self, children: list[int]) -> int:
        return self.graph.apply(OPS["mul"], *children)

    def div(self, children: list[int]) -> int:
        return self.graph.apply(OPS["div"], *children)

    def neg(self, children: list[int]) -> int:
        return self.graph.apply(OPS["neg"], *children)

    def pow(self, children: list[int]) -> int:
        return self.graph.apply(OPS["pow"], *children)


_builder = Builder()
_lark: Lark | None = None
_lock = threading.Lock()


def _parser() -> Lark:
    global _lark
    if _lark is None:
        _lark = Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", transformer=_builder)
    return _lark


def parse(text: str) -> Graph:
    """Parse an expression into a computational graph.

    Args:
        text: the expression, e.g. ``"(x+y)*z"``.

    Returns:
        The `Graph`, nodes in topological order, the output last.

    Raises:
        ParseError: the text does not follow the grammar (it points at the column).

    Example:
        >>> g = parse("x*x + 1")
        >>> [g.op_name(i) for i in range(len(g))]
        ['var', 'mul', 'const', 'add']
    """
    if len(text) > MAX_LENGTH:
        raise UsageError(f"the expression is longer than {MAX_LENGTH:,} characters, cgcli's limit (see README: Limits)")
    with _lock:
        lark = _parser()
        _builder.graph, _builder.text = Graph(source=text), text
        try:
            lark.parse(text)
        except UnexpectedInput as e:
            raise parse_error(text, e, _accepted) from None
        graph = _builder.graph
        _builder.graph = Graph()
    return graph


def _accepted(prefix: str) -> set[str]:
    """The terminals that may follow ``prefix``, found by trying each one.

    Lark's own ``expected`` set is taken after the offending token has
    already triggered reductions, so it can miss operators (after "(x" it
    omits '*').  Replaying the prefix and asking the parser is exact.
    """
    saved = _builder.graph
    try:
        interactive = _parser().parse_interactive(prefix)
        interactive.exhaust_lexer()
        return set(interactive.accepts())
    except Exception:  # noqa: BLE001 - only a better hint is lost
        return set()
    finally:
        _builder.graph = saved
