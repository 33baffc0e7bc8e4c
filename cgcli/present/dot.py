"""``graph --format dot``: Graphviz DOT, drawn left to right like the lecture's slides.

Each node shows its gate; with values, each edge carries, in a thin box of
its own, the forward value (green), the gradient flowing back along it (red)
and its local gradient (grey), so that the labels of two edges into one gate
stay two (an edge out of a constant carries its value only: nothing flows
back into a constant).  A value used more than once (a fork) also shows, in
red, the sum of what its uses sent back.  An extra edge leaves the output for
a node named after it (``f``, or the program's name), in both the structure
and the valued picture; the valued one has a legend.
"""

from __future__ import annotations

from ..core.engine import Result
from ..core.graph import Graph
from .labels import caption, edges
from .numbers import short

GREEN = "#1a7f37"
RED = "#cf222e"
GREY = "#57606a"


def escape(text: str) -> str:
    """Text for a DOT string or an HTML-like label: no markup, no quote, no backslash escape."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\\", "&#92;")
    )


def _font(text: str, colour: str, size: int | None = None) -> str:
    sized = f' point-size="{size}"' if size else ""
    return f'<font color="{colour}"{sized}>{escape(text)}</font>'


def _forks(graph: Graph) -> list[int]:
    """How many times each node is used as an input."""
    uses = [0] * len(graph)
    for inputs in graph.inputs:
        for j in inputs:
            uses[j] += 1
    return uses


def _block(*rows: str) -> str:
    """An edge's label rows in a thin rounded box, so that two labels side by side stay two."""
    cells = "".join(f"<tr><td>{row}</td></tr>" for row in rows)
    frame = 'border="1" color="#d0d7de" style="rounded" cellborder="0" cellspacing="0" cellpadding="1"'
    return f"<table {frame}>{cells}</table>"


def legend(graph: Graph, result: Result | None) -> str:
    """The graph's label: what green, red and grey mean (only a valued picture has colours)."""
    if result is None:
        return ""
    rows = [
        _font("green: value (forward pass)", GREEN),
        _font(f"red: gradient ∂{graph.output_name}/∂node (backward pass: upstream × local)", RED),
        _font("grey: local gradient ∂node/∂input;  Σ: a fork's summed gradient", GREY),
    ]
    left = '<br align="left"/>'
    return f"  graph [labelloc=b, labeljust=l, fontsize=10, label=<{left.join(rows)}{left}>];"


def graph_dot(graph: Graph, result: Result | None = None, digits: int = 3) -> str:
    """DOT text for ``graph``; with a ``result``, values and gradients on the edges."""
    lines = [
        "digraph cgcli {",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10, labelfontsize=9];',
    ]
    if result is not None:
        lines.append(legend(graph, result))
    uses = _forks(graph)
    for i in range(len(graph)):
        shape = ", shape=plaintext" if graph.ops[i] is None else ""
        if result is not None and uses[i] > 1:
            label = f"<{escape(caption(graph, i))}<br/>{_font('Σ ' + short(result.grad[i], digits), RED, 10)}>"
        else:
            label = f'"{escape(caption(graph, i))}"'
        lines.append(f'  n{i} [label={label}, tooltip="#{i} {escape(graph.text(i))}"{shape}];')
    for e in edges(graph, result):
        if e.value is None:
            lines.append(f"  n{e.source} -> n{e.target};")
        else:
            rows = [_font(short(e.value, digits), GREEN)]
            if e.grad is not None:  # None out of a constant: nothing flows back along the edge
                rows.append(_font(short(e.grad, digits), RED))
            if e.local is not None:
                rows.append(_font(f"local {short(e.local, digits)}", GREY, 8))
            lines.append(f"  n{e.source} -> n{e.target} [label=<{_block(*rows)}>];")
    lines.append(f'  out [label="{escape(graph.output_name)}", shape=plaintext];')
    if result is None:
        lines.append(f"  n{graph.output} -> out;")
    else:
        value = _font(short(result.output, digits), GREEN)
        lines.append(f"  n{graph.output} -> out [label=<{_block(value, _font('1', RED))}>];")
    lines.append("}")
    return "\n".join(lines) + "\n"
