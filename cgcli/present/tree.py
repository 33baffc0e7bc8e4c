"""``graph --format tree``: the expression as a Rich tree, output at the root.

A node used more than once (a fork) is drawn in full the first time and
referred to by its id afterwards.  Built with an explicit stack.
"""

from __future__ import annotations

from rich.text import Text
from rich.tree import Tree

from ..engine import Result
from ..graph import Graph
from .labels import caption
from .numbers import short


def graph_tree(graph: Graph, result: Result | None = None, digits: int = 6) -> Tree:
    """A Rich Tree of ``graph``; with a ``result``, each node shows value (green) and grad (red)."""

    def label(i: int, again: bool) -> Text:
        text = Text(f"#{i} ", style="dim")
        text.append(caption(graph, i), style="bold" if graph.ops[i] is not None else "")
        if again:
            text.append("  (shared: shown above)", style="dim italic")
            return text
        if result is not None:
            text.append(f"  value {short(result.value[i], digits)}", style="green")
            text.append(f"  grad {short(result.grad[i], digits)}", style="red")
        return text

    root = Tree(label(graph.output, False))
    shown = {graph.output}
    # depth first, in drawing order: a node counts as shown once it is drawn
    stack = [(j, root) for j in reversed(graph.inputs[graph.output])]
    while stack:
        i, parent = stack.pop()
        again = i in shown
        branch = parent.add(label(i, again))
        if not again:
            shown.add(i)
            stack.extend((j, branch) for j in reversed(graph.inputs[i]))
    return root
