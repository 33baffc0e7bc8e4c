"""``graph --format tree``: the expression as a Rich tree, output at the root.

A node used more than once (a fork) is drawn in full the first time and
referred to by its id afterwards.  Built with an explicit stack.  A branch
deeper than `DEPTH` levels goes on as a tree of its own below the first, so
that a 100,000-deep chain prints O(nodes) text, not O(depth²) indentation.
"""

from __future__ import annotations

from collections import deque

from rich.console import Group
from rich.text import Text
from rich.tree import Tree

from ..core.engine import Result
from ..core.graph import Graph
from .labels import caption
from .numbers import short

#: how many levels one tree shows before a branch continues as a tree below
DEPTH = 16


def graph_tree(graph: Graph, result: Result | None = None, digits: int = 6) -> Group:
    """Rich Trees of ``graph``; with a ``result``, each node shows value (green) and grad (red)."""

    def label(i: int, again: bool) -> Text:
        text = Text(f"#{i} ", style="dim")
        text.append(caption(graph, i), style="bold" if graph.ops[i] is not None else "")
        if again:
            text.append("  (shared: shown above)", style="dim italic")
            return text
        if result is not None:
            text.append(f"  value {short(result.value[i], digits)}", style="green")
            if i == graph.output or i not in graph.constant_ids:  # nothing flows back into a constant
                text.append(f"  grad {short(result.grad[i], digits)}", style="red")
        return text

    trees: list[Tree] = []
    shown: set[int] = set()
    roots = deque([graph.output])
    while roots:
        top = roots.popleft()
        root = Tree(label(top, False) if top == graph.output else label(top, False).append("  (continued)", "dim"))
        trees.append(root)
        shown.add(top)
        # depth first, in drawing order: a node counts as shown once it is drawn
        stack = [(j, root, 1) for j in reversed(graph.inputs[top])]
        while stack:
            i, parent, depth = stack.pop()
            again = i in shown
            if not again and graph.inputs[i] and depth >= DEPTH:
                shown.add(i)
                roots.append(i)
                parent.add(label(i, False).append("  … continued below", "dim"))
                continue
            branch = parent.add(label(i, again))
            if not again:
                shown.add(i)
                stack.extend((j, branch, depth + 1) for j in reversed(graph.inputs[i]))
    return Group(*trees)
