"""The ``grad`` table: one row per node, the lecture's colours (values green,
gradients red), then ∂f/∂variable and a legend of the gate roles used."""

from __future__ import annotations

import os
from typing import Any, TextIO

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..core.engine import Result
from ..core.graph import Graph
from ..core.ops import DISTRIBUTOR, ROLE_MEANING, ROUTER, SWITCHER
from .numbers import short

#: a graph of more nodes than 2 × SHOWN shows its first and last SHOWN rows: a table of a
#: million rows would take Rich minutes to lay out, and nobody reads it
SHOWN = 500

#: a program of more named nodes than this is shown above the table by its output's statement alone
PROGRAM_LINES = 12

#: the width of output into a pipe or a file: no cell is ever wrapped
UNWRAPPED = 100_000

VALUE = "green"
GRADIENT = "red"

#: what ``grad --explain`` adds under each role's line of the legend
ROLE_EXPLAINED = {
    DISTRIBUTOR: "The local gradient of a + b is 1 toward each input, so the add gate copies its upstream "
    "gradient to all its inputs: each gets the whole of it.",
    ROUTER: "The local gradient of max(a, b) is 1 toward the largest input and 0 toward the others, so the "
    "gradient flows along the one path that won the forward pass (ties share it evenly).",
    SWITCHER: "The local gradient of a * b toward a is b, and toward b is a, so each input receives the upstream "
    "gradient scaled by the other input's value: the values switch places.",
}
CHAIN_RULE = (
    "Each node's grad is the sum, over the nodes that use it, of their grad times their local gradient "
    "toward it (the chain rule); cgcli grad --steps shows every one of those products."
)


def grad_view(result: Result, digits: int = 6, explain: bool = False) -> Group:
    """A Rich renderable: the node table, the gradient lines and the role legend (longer with ``explain``)."""
    graph = result.graph
    out = graph.output_name
    table = Table()
    table.add_column("id", justify="right")
    table.add_column("expr", overflow="fold")
    table.add_column("op")
    table.add_column("value", justify="right", style=VALUE)
    table.add_column("local ∂node/∂input")
    table.add_column(f"grad ∂{out}/∂node", justify="right", style=GRADIENT)
    table.add_column("role")
    roles = []
    for i in range(len(graph)):
        op = graph.ops[i]
        if op is not None and op.role and op.role not in roles:
            roles.append(op.role)
        if SHOWN <= i < len(graph) - SHOWN:
            if i == SHOWN:
                hidden = len(graph) - 2 * SHOWN
                table.add_row("⋮", f"{hidden:,} more nodes (--json lists every node)", "", "", "", "", "")
            continue
        local = ", ".join(f"#{j}: {short(d, digits)}" for j, d in zip(graph.inputs[i], result.local[i], strict=True))
        role = op.role if op is not None and op.role else ""
        value, grad = short(result.value[i], digits), short(result.grad[i], digits)
        op_name = graph.op_name(i) + (" (fused)" if i in graph.fused else "")
        table.add_row(str(i), _expr(graph, i), op_name, value, local, grad, role)
    parts: list[Any] = [Text(line) for line in _program(graph)] + [table]
    parts.append(Text(f"{out} = {short(result.output, digits)}", style=VALUE))
    for name, g in result.gradient.items():
        parts.append(Text(f"∂{out}/∂{name} = {short(g, digits)}", style=GRADIENT))
    for role in roles:
        parts.append(Text(f"{role}: {ROLE_MEANING[role]}", style="dim"))
        if explain:
            parts.append(Text(f"  {ROLE_EXPLAINED[role]}", style="dim"))
    if explain:
        parts.append(Text(CHAIN_RULE, style="dim"))
    return Group(*parts)


def _expr(graph: Graph, i: int) -> str:
    """A row's expression: a named node's name beside it (``q = x + y``)."""
    name = graph.names.get(i)
    return f"{name} = {graph.text(i)}" if name else graph.text(i)


def _program(graph: Graph) -> list[str]:
    """The lines above the table: the program's statements (just the output's, when there are many)."""
    output = graph.output
    lines = [] if len(graph.names) > PROGRAM_LINES else [_expr(graph, i) for i in sorted(graph.names) if i != output]
    return [*lines, f"{graph.output_name} = {graph.label(output) if graph.output_alias else graph.text(output)}"]


def print_rich(renderable: Any, file: TextIO | None = None) -> None:
    """Print to stdout (or to ``file``); colour only on a terminal without NO_COLOR.

    On a terminal Rich fits the table to the window.  Into a pipe or a file
    it is as wide as it needs (or $COLUMNS), so that no cell is wrapped.
    """
    # markup and emoji off: no text of ours is markup, and the user's never is read as any
    console = Console(file=file, highlight=False, markup=False, emoji=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # wide enough for any row: tables and trees still take only the width they need
        # (measuring first would lay the table out twice, a third of the start-up's time)
        console.width = UNWRAPPED
    console.print(renderable)
