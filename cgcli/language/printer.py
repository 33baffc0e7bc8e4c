"""Graph -> expression text, with the fewest parentheses that parse back to
the same graph.  `node_text` formats one node from its inputs' texts;
`to_text` prints a whole graph with an explicit stack (no recursion)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.ops import ATOM, POWER, UNARY, Op

if TYPE_CHECKING:
    from ..core.graph import Graph


def _needs_parens(op: Op, position: int, child: int) -> bool:
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
    shown = [f"({text})" if _needs_parens(op, k, prec) else text for k, (text, prec) in enumerate(parts)]
    if len(shown) == 1:
        return op.symbol + shown[0]
    return f"{shown[0]} {op.symbol} {shown[1]}"


def to_text(graph: Graph, node: int | None = None) -> str:
    """The full text of ``node`` (default: the output), however deep.

    Example:
        >>> from cgcli import parse
        >>> to_text(parse("((x+y))*z"))
        '(x + y) * z'
    """
    out: list[str] = []
    stack: list[int | str] = [graph.output if node is None else node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        op = graph.ops[item]
        if op is None:
            out.append(graph.leaf_text[item])
            continue
        inputs = graph.inputs[item]
        # push in reverse: the stack pops the first piece first
        pieces: list[int | str] = []
        if not op.symbol:
            pieces.append(op.name + "(")
            for k, j in enumerate(inputs):
                pieces += [", "] if k else []
                pieces.append(j)
            pieces.append(")")
        else:
            if len(inputs) == 1:
                pieces.append(op.symbol)
            for k, j in enumerate(inputs):
                if k:
                    pieces.append(f" {op.symbol} ")
                if _needs_parens(op, k, graph.precedence(j)):
                    pieces += ["(", j, ")"]
                else:
                    pieces.append(j)
        stack.extend(reversed(pieces))
    return "".join(out)
