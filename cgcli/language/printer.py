"""Graph -> program text, with the fewest parentheses that parse back to
the same graph.  `to_text` prints a whole graph, one statement a line for
each named node, with an explicit stack (no recursion); one node is
formatted by `cgcli.core.notation.node_text`'s rules."""

from __future__ import annotations

from ..core.graph import OUTPUT, Graph
from ..core.notation import needs_parens
from ..core.ops import ATOM


def to_text(graph: Graph, node: int | None = None) -> str:
    """The program that parses back to ``graph``; or, given a ``node``, the full text of its expression.

    Each named node is one statement (``q = x + y``), in order, and the
    expressions after it use its name; the output comes last, named when
    the program named it.  However deep the graph, nothing recurses.

    Example:
        >>> from cgcli import parse
        >>> to_text(parse("((x+y))*z"))
        '(x + y) * z'
        >>> print(to_text(parse("q = x+y; f = q*z")))
        q = x + y
        f = q * z
    """
    if node is not None:
        return _expression(graph, node)
    lines = [f"{name} = {_expression(graph, i)}" for i, name in sorted(graph.names.items())]
    output = graph.output
    if graph.output_alias == OUTPUT and output in graph.names:  # q alone: a bare statement is f
        lines.append(graph.names[output])
    elif graph.output_alias is not None:
        shown = graph.names.get(output) or _expression(graph, output)
        lines.append(f"{graph.output_alias} = {shown}")
    elif output not in graph.names:
        lines.append(_expression(graph, output))
    return "\n".join(lines)


def _expression(graph: Graph, node: int) -> str:
    """The text of ``node``'s expression; its named inputs (at any depth) by their names."""
    names = graph.names
    out: list[str] = []
    stack: list[int | str] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        if item != node and item in names:
            out.append(names[item])
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
                binds = ATOM if j in names else graph.precedence(j)
                if needs_parens(op, k, binds):
                    pieces += ["(", j, ")"]
                else:
                    pieces.append(j)
        stack.extend(reversed(pieces))
    return "".join(out)
