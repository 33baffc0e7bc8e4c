"""``graph --format dot``: Graphviz DOT, drawn left to right like the lecture's slides.

Each node shows its gate; with values, each edge carries the forward value
(green, above) and the gradient flowing back (red, below), plus the edge's
local gradient.  An extra edge leaves the output with its value and the
gradient 1 that starts the backward pass.
"""

from __future__ import annotations

from ..core.engine import Result
from ..core.graph import Graph
from .labels import caption, edges
from .numbers import short

GREEN = "#1a7f37"
RED = "#cf222e"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _edge_label(value: float, grad: float | None, local: float | None, digits: int) -> str:
    rows = [f'<font color="{GREEN}">{_html(short(value, digits))}</font>']
    if grad is not None:  # None out of a constant: nothing flows back along the edge
        rows.append(f'<font color="{RED}">{_html(short(grad, digits))}</font>')
    if local is not None:
        rows.append(f'<font point-size="9" color="#57606a">local {_html(short(local, digits))}</font>')
    return "<" + "<br/>".join(rows) + ">"


def graph_dot(graph: Graph, result: Result | None = None, digits: int = 3) -> str:
    """DOT text for ``graph``; with a ``result``, values and gradients on the edges."""
    lines = [
        "digraph cgcli {",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for i in range(len(graph)):
        shape = ", shape=plaintext" if graph.ops[i] is None else ""
        lines.append(f'  n{i} [label="{_html(caption(graph, i))}", tooltip="#{i} {_html(graph.text(i))}"{shape}];')
    for e in edges(graph, result):
        if e.value is None:
            lines.append(f"  n{e.source} -> n{e.target};")
        else:
            lines.append(f"  n{e.source} -> n{e.target} [label={_edge_label(e.value, e.grad, e.local, digits)}];")
    if result is not None:
        lines.append(f'  out [label="{_html(graph.output_name)}", shape=plaintext];')
        lines.append(f"  n{graph.output} -> out [label={_edge_label(result.output, 1.0, None, digits)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
