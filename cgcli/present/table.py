"""The ``grad`` table: one row per node, the lecture's colours (values green,
gradients red), then ∂f/∂variable and a legend of the gate roles used."""

from __future__ import annotations

import os
from typing import Any, TextIO

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult
from rich.table import Table
from rich.text import Text

from ..core.engine import Result
from ..core.graph import Graph
from ..core.notation import node_text
from ..core.ops import ATOM, DISTRIBUTOR, ROLE_MEANING, ROUTER, SWITCHER
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


#: what the short headers mean, under the table
COLUMNS_MEANING = "local: ∂node/∂input, per input #id · grad: ∂{out}/∂node · blank: nothing flows back"

#: the narrowest expression column a narrow table cuts expressions to
EXPR_MIN = 10


def grad_view(result: Result, digits: int = 6, explain: bool = False) -> GradView:
    """A Rich renderable: the node table, the gradient lines and the role legend (longer with ``explain``)."""
    return GradView(result, digits, explain)


class GradView:
    """The ``grad`` table, laid out for the width it is printed at.

    When every row fits on one line it is printed whole.  Narrower, each
    local gradient takes a line of its own, and an expression too long for
    what is left is written over its inputs' ids (``1 / #13``, as the local
    column names them), cut with ``…`` only if even that is too long: no
    number is ever cut, and the full text of each sub-expression is on its
    own row.
    """

    def __init__(self, result: Result, digits: int = 6, explain: bool = False) -> None:
        self.result, self.digits, self.explain = result, digits, explain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self._parts(options.max_width)

    def _parts(self, width: int) -> list[Any]:
        result, digits, graph = self.result, self.digits, self.result.graph
        flowing = _flowing(result)
        rows: list[tuple[int, str, str, str, list[str], str, str]] = []
        roles: list[str] = []
        for i in range(len(graph)):
            op = graph.ops[i]
            if op is not None and op.role and op.role not in roles:
                roles.append(op.role)
            if SHOWN <= i < len(graph) - SHOWN:
                continue
            pairs = zip(graph.inputs[i], result.local[i], strict=True)
            local = [f"#{j}: {short(d, digits)}" for j, d in pairs if flowing(j)]
            grad = short(result.grad[i], digits) if flowing(i) else ""
            op_name = graph.op_name(i) + (" (fused)" if i in graph.fused else "")
            role = op.role if op is not None and op.role else ""
            rows.append((i, _expr(graph, i), op_name, short(result.value[i], digits), local, grad, role))
        headers: tuple[str, ...] = ("id", "expr", "op", "value", "local", "grad", "role")
        cells: list[tuple[str, ...]] = [(str(i), e, o, v, ", ".join(loc), g, r) for i, e, o, v, loc, g, r in rows]
        if _table_width(headers, cells) > width:
            headers, cells = _narrow(graph, headers, cells, rows, width)
        table = Table()
        for header in headers:
            justify: JustifyMethod = "right" if header in ("id", "value", "grad") else "left"
            style = {"value": VALUE, "grad": GRADIENT}.get(header)
            # NOTE: fold, never crop: below the narrowest layout a long number goes on over
            # two lines rather than losing digits
            table.add_column(header, justify=justify, style=style, overflow="fold")
        for k, row in enumerate(cells):
            if len(graph) > 2 * SHOWN and k == SHOWN:
                hidden = len(graph) - 2 * SHOWN
                table.add_row("⋮", f"{hidden:,} more nodes (--json lists every node)", *[""] * (len(headers) - 2))
            table.add_row(*row)
        out = graph.output_name
        parts: list[Any] = [Text(line) for line in program_lines(graph)] + [table]
        parts.append(Text(COLUMNS_MEANING.format(out=out), style="dim"))
        parts.append(Text(f"{out} = {short(result.output, digits)}", style=VALUE))
        for name, g in result.gradient.items():
            parts.append(Text(f"∂{out}/∂{name} = {short(g, digits)}", style=GRADIENT))
        for role in roles:
            meaning = ROUTER_TIED if role == ROUTER and _tied(result) else ROLE_MEANING[role]
            parts.append(Text(f"{role}: {meaning}", style="dim"))
            if self.explain:
                parts.append(Text(f"  {ROLE_EXPLAINED[role]}", style="dim"))
        if self.explain:
            parts.append(Text(CHAIN_RULE, style="dim"))
        return parts


#: the router's line of the legend when some max/min has tied winners (its locals are ½, ⅓, …)
ROUTER_TIED = (
    "max/min gates send the upstream gradient to the winning input, 0 to the rest; tied winners split it evenly"
)


def _tied(result: Result) -> bool:
    graph = result.graph
    return any(
        op is not None and op.role == ROUTER and any(d not in (0.0, 1.0) for d in result.local[i])
        for i, op in enumerate(graph.ops)
    )


def _narrow(
    graph: Graph, headers: tuple[str, ...], cells: list[tuple[str, ...]], rows: list[Any], width: int
) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The table's columns and cells for a terminal narrower than the natural table.

    Each expression too long for the room left is written over its inputs'
    ids.  Layouts are tried from the fullest: with the role column, local
    gradients on one line; then each on a line of its own where the cell is
    wider than the widest entry; then both without the role column (the
    legend under the table says which op has which role).  The first in
    which no expression needs cutting with … is taken, else the last.
    """
    widest = max((cell_len(entry) for row in rows for entry in row[4]), default=0)
    packed = [
        (*row[:4], row[4] if cell_len(row[4]) <= widest else row[4].replace(", ", "\n"), *row[5:]) for row in cells
    ]
    layouts = [(headers, cells), (headers, packed), (headers[:-1], cells), (headers[:-1], packed)]
    for kept, candidate in layouts:
        shown = [row[: len(kept)] for row in candidate]
        others = _table_width(kept, shown) - _column_width(kept[1], [row[1] for row in shown])
        budget = max(EXPR_MIN, width - others)
        fitted = [(row[0], _fit(graph, int(row[0]), row[1], budget), *row[2:]) for row in shown]
        if not any(row[1].endswith("…") for row in fitted):
            return kept, fitted
    return kept, fitted


def _flowing(result: Result) -> Any:
    """Whether a gradient flows into node i: not into a constant (nothing upstream wants it), bar the output."""
    constant, output = result.graph.constant_ids, result.graph.output
    return lambda i: i == output or i not in constant


def _column_width(header: str, cells: list[str]) -> int:
    return max(cell_len(line) for text in (header, *cells) for line in text.split("\n"))


def _table_width(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> int:
    """The width Rich's default box gives these rows: each column's widest line, 1 + 2 of padding and a rule."""
    columns = [_column_width(h, [row[k] for row in rows]) for k, h in enumerate(headers)]
    return sum(columns) + 3 * len(columns) + 1


def _fit(graph: Graph, i: int, text: str, budget: int) -> str:
    """``text``, or node i written over its inputs' ids, or that cut with … to ``budget`` cells."""
    if cell_len(text) <= budget:
        return text
    op = graph.ops[i]
    if op is not None:
        # inputs as the rows name them: a leaf's text, a defined name, else #id
        parts = [
            (graph.leaf_text[j], graph.precedence(j))
            if graph.ops[j] is None
            else (graph.names[j], ATOM)
            if j in graph.names
            else (f"#{j}", ATOM)
            for j in graph.inputs[i]
        ]
        name = graph.names.get(i)
        text = f"{name} = {node_text(op, parts)}" if name else node_text(op, parts)
    return text if cell_len(text) <= budget else text[: budget - 1] + "…"


def _expr(graph: Graph, i: int) -> str:
    """A row's expression: a named node's name beside it (``q = x + y``)."""
    name = graph.names.get(i)
    return f"{name} = {graph.text(i)}" if name else graph.text(i)


def program_lines(graph: Graph) -> list[str]:
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
    columns = os.environ.get("COLUMNS", "")
    if not (columns.strip().isdigit() and int(columns) >= MIN_WIDTH):
        # no COLUMNS, or one too narrow to print in (COLUMNS=0 printed nothing): ignored
        if not console.is_terminal:
            # wide enough for any row: tables and trees still take only the width they need
            # (measuring first would lay the table out twice, a third of the start-up's time)
            console.width = UNWRAPPED
        elif columns:
            console.width = _terminal_width(console)
    console.print(renderable)


#: the narrowest $COLUMNS honoured; below it a table cannot show its numbers
MIN_WIDTH = 40


def _terminal_width(console: Console) -> int:
    """The terminal's own width, as if $COLUMNS were not set (80 if it cannot be asked)."""
    try:
        return max(MIN_WIDTH, os.get_terminal_size(console.file.fileno()).columns)
    except (OSError, ValueError, AttributeError):
        return 80
