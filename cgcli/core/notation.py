"""How one node is written: an op's symbol between its inputs' texts, with
the fewest parentheses that parse back to the same graph.

The graph's own texts (`Graph.text`, shown in tables and in the engine's
messages) and the language's printer (`cgcli.language.printer`) both format
nodes with `node_text`, so it lives here, in the core, which the language
layer reads and never the other way round.
"""

from __future__ import annotations

from .ops import ATOM, POWER, UNARY, Op


def needs_parens(op: Op, position: int, child: int) -> bool:
    """Whether input ``position`` of ``op``, binding as ``child``, needs parentheses."""
    p = op.precedence
    if p == POWER:  # right-associative: a ^ b ^ c is a ^ (b ^ c), and 2 ^ -1 is fine
        return child < ATOM if position == 0 else child < UNARY
    if p == UNARY:  # -(x ^ 2) rather than -x ^ 2: same graph, clearer to a reader
        return child < UNARY or child == POWER
    # left-associative sums and products: a - (b - c) keeps its parentheses
    return child < p if position == 0 else child <= p


def node_text(op: Op, parts: list[tuple[str, int]]) -> str:
    """Text of a node applying ``op`` to inputs with (text, precedence) ``parts``."""
    if not op.symbol:
        return f"{op.name}({', '.join(text for text, _ in parts)})"
    shown = [f"({text})" if needs_parens(op, k, prec) else text for k, (text, prec) in enumerate(parts)]
    if len(shown) == 1:
        return op.symbol + shown[0]
    return f"{shown[0]} {op.symbol} {shown[1]}"
