"""Write a node of a graph as a formula, in some output's syntax, without recursion.

`write` walks the graph with an explicit stack, the way
`cgcli.language.printer.to_text` does, with the same parentheses
(`cgcli.core.notation.needs_parens`); a `Syntax` says how one node reads
(its pieces: literal text and input ids) and how tightly it binds.  Nodes
in ``names`` are written as their name (the shared statements of ``cgcli
diff``), so the text stays linear in the graph's size however much it shares.

How to add a printer (see present/diff_text.py, the smallest): subclass
`Syntax`, say how leaves, names and each op read, and call `write`.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..core.graph import Graph
from ..core.notation import needs_parens
from ..core.ops import ATOM

Piece = str | int


class Syntax:
    """cgcli's own syntax; subclasses override what their format writes differently."""

    power = "^"

    def leaf(self, graph: Graph, i: int) -> str:
        return graph.leaf_text[i]

    def name(self, name: str) -> str:
        return name

    def call(self, graph: Graph, i: int) -> str:
        """The function's name in a call ("sin"), for ops written as calls."""
        op = graph.ops[i]
        assert op is not None
        return op.name

    def precedence(self, graph: Graph, i: int) -> int:
        return graph.precedence(i)

    def pieces(self, graph: Graph, i: int, binding: Mapping[int, int]) -> list[Piece]:
        """Node ``i`` as text and input ids; ``binding[j]`` is how tightly input j binds as written."""
        op = graph.ops[i]
        assert op is not None
        inputs = graph.inputs[i]
        if not op.symbol:
            out: list[Piece] = [self.call(graph, i) + "("]
            for k, j in enumerate(inputs):
                out += [", ", j] if k else [j]
            return [*out, ")"]
        if len(inputs) == 1:
            (j,) = inputs
            return [op.symbol, "(", j, ")"] if needs_parens(op, 0, binding[j]) else [op.symbol, j]
        a, b = inputs
        out = ["(", a, ")"] if needs_parens(op, 0, binding[a]) else [a]
        out.append(self.power if op.symbol == "^" else f" {op.symbol} ")
        if needs_parens(op, 1, binding[b]):
            out += ["(", b, ")"]
        else:
            out.append(b)
        return out


class _Binding(dict[int, int]):
    """How tightly each node binds as written: a named node is an atom."""

    def __init__(self, graph: Graph, syntax: Syntax, names: Mapping[int, str]) -> None:
        super().__init__()
        self.graph, self.syntax, self.names = graph, syntax, names

    def __missing__(self, j: int) -> int:
        return ATOM if j in self.names else self.syntax.precedence(self.graph, j)


def bindings(graph: Graph, syntax: Syntax, names: Mapping[int, str]) -> Mapping[int, int]:
    """How tightly each node binds as written, found when first asked; pass it to every `write` of one output."""
    return _Binding(graph, syntax, names)


def write(
    graph: Graph,
    root: int,
    syntax: Syntax,
    names: Mapping[int, str],
    expand: bool = False,
    binding: Mapping[int, int] | None = None,
) -> str:
    """The formula of ``root``; named nodes appear as their names (``root`` itself too, unless ``expand``)."""
    if binding is None:
        binding = _Binding(graph, syntax, names)
    ops, leaf_text, pieces = graph.ops, graph.leaf_text, syntax.pieces
    plain = type(syntax).leaf is Syntax.leaf  # the grammar's own leaves: their text as written
    out: list[str] = []
    stack: list[Piece] = [root]
    first = expand
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        if item in names and not first:
            out.append(syntax.name(names[item]))
            continue
        first = False
        if ops[item] is None:
            out.append(leaf_text[item] if plain else syntax.leaf(graph, item))
            continue
        stack.extend(reversed(pieces(graph, item, binding)))
    return "".join(out)
