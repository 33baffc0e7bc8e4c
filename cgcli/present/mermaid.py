"""``graph --format mermaid``: the same graph for Markdown renderers (GitHub, GitLab, …)."""

from __future__ import annotations

from ..core.engine import Result
from ..core.graph import Graph
from .labels import caption, edges
from .numbers import short


def _quoted(text: str) -> str:
    # Mermaid labels sit in double quotes; #quot; is its escape for one
    return '"' + text.replace('"', "#quot;") + '"'


def graph_mermaid(graph: Graph, result: Result | None = None, digits: int = 3) -> str:
    """Mermaid flowchart text; with a ``result``, edges read "value / grad"."""
    lines = ["flowchart LR"]
    for i in range(len(graph)):
        shape = ("[", "]") if graph.ops[i] is not None else ("([", "])")
        lines.append(f"  n{i}{shape[0]}{_quoted(caption(graph, i))}{shape[1]}")
    for e in edges(graph, result):
        if e.value is None:
            lines.append(f"  n{e.source} --> n{e.target}")
        else:
            text = f"value {short(e.value, digits)}"
            if e.grad is not None:  # None out of a constant: nothing flows back
                text += f" / grad {short(e.grad, digits)}"
            lines.append(f"  n{e.source} -->|{_quoted(text)}| n{e.target}")
    if result is not None:
        lines.append(f"  out(({_quoted(graph.output_name)}))")
        lines.append(f"  n{graph.output} -->|{_quoted(f'value {short(result.output, digits)} / grad 1')}| out")
    return "\n".join(lines) + "\n"
