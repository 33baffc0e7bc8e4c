"""The ``descend`` text: a table of some steps, the plot (on a terminal) and the final point."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..modes.descend import CONVERGED, DOMAIN, NOT_FINITE, Descent, listed
from .numbers import short
from .table import GRADIENT, VALUE, program_lines

#: the table shows this many steps: the first, the last and evenly spaced ones between
ROWS = 11
#: and this many trained variables' columns, so that it stays readable (and quick to lay out)
COLUMNS = 6


def shown_steps(last: int, rows: int = ROWS) -> list[int]:
    """The steps the table shows, out of 0 … ``last``: all of them when few, else ``rows`` evenly spaced."""
    if last < rows:
        return list(range(last + 1))
    return sorted({round(i * last / (rows - 1)) for i in range(rows)})


def descend_view(run: Descent, digits: int = 6, plot: bool = False) -> Group:
    """A Rich renderable: the run's settings, the table, the plot if asked, the outcome and the final point."""
    graph = run.graph
    out = graph.output_name  # f, or the program's name for it (L = …)
    table = Table()
    table.add_column("step", justify="right")
    table.add_column(out, justify="right", style=VALUE)
    shown = run.wrt[:COLUMNS]
    for name in shown:
        table.add_column(name, justify="right")
    if len(run.wrt) > COLUMNS:
        table.add_column(f"… {len(run.wrt) - COLUMNS:,} more")
    table.add_column(f"‖∇{out}‖", justify="right", style=GRADIENT)
    place = {name: j for j, name in enumerate(graph.variables)}
    at = [place[name] for name in shown]
    for k in shown_steps(run.last):
        point = run.points[k]
        cells = [short(point[j], digits) for j in at] + ([""] if len(run.wrt) > COLUMNS else [])
        table.add_row(str(k), short(run.values[k], digits), *cells, short(run.norm(k), digits))
    fixed = [name for name in graph.variables if name not in run.wrt]
    settings = f"descend along {listed(run.wrt)}: lr {short(run.lr)}, tol {short(run.tol)}"
    if fixed:
        settings += f"; fixed: {listed(fixed)}"
    parts: list[Any] = [*map(Text, program_lines(graph)), Text(settings, style="dim"), table]
    if plot:
        from .plot import LossPlot

        parts.append(LossPlot(run.values, out))
    parts.append(Text(outcome(run)))
    final = run.point(run.last)
    parts.append(Text(f"{out} = {short(run.values[-1], digits)}", style=VALUE))
    for name in run.wrt:
        parts.append(Text(f"{name} = {short(final[name], digits)}"))
    return Group(*parts)


def outcome(run: Descent) -> str:
    """One line: why the run ended."""
    k, out = run.last, run.graph.output_name
    if run.stopped == CONVERGED:
        return f"converged at step {k}: |Δ{out}| and ‖∇{out}‖ below {short(run.tol)}"
    if run.stopped in (NOT_FINITE, DOMAIN):
        return f"stopped at step {k + 1} ({run.stopped}); the last good step is {k}"
    delta = abs(run.values[k] - run.values[k - 1]) if k else float("nan")
    steps = f"{k} step{'s' * (k != 1)}"
    return f"not converged after {steps}: |Δ{out}| = {short(delta, 3)}, ‖∇{out}‖ = {short(run.norm(k), 3)}"
