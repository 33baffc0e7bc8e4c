"""The ``check`` table: analytic against numeric per variable, with CS231n's verdict
bands in colour, then a one-line summary."""

from __future__ import annotations

import math

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..modes.check import CheckReport, PointCheck, VariableCheck
from .numbers import short

BAND_STYLE = {"good": "green", "fine only at kinks": "yellow", "uncomfortable": "dark_orange", "wrong": "bold red"}

#: with more random points than this, the table lists failures and each variable's worst point only
ALL_ROWS = 10


#: the band column of a variable that a rule other than the bands decided
DECIDED = {"kink": "(kink)", "round-off": "(round-off)", "not finite": "(not finite)"}


def check_view(report: CheckReport, digits: int = 6) -> Group:
    """A Rich renderable: the table and the summary (only a sentence when nothing has a gradient)."""
    if not any(p.variables for p in report.points):
        return Group(Text("nothing to check: the expression has no variables, so it has no gradient"))
    table = Table()
    several = len(report.points) > 1
    if several:
        table.add_column("point", justify="right")
    for name in ("variable", "analytic", "numeric", "rel_error", "band", "verdict"):
        table.add_column(name, justify="right" if name in ("analytic", "numeric", "rel_error") else "left")
    for k, _point, name, v in _rows(report):
        cells: list[str | Text] = [name, short(v.analytic, digits), short(v.numeric, digits), short(v.rel_error, 2)]
        cells += [_band(v), _verdict(v, digits)]
        table.add_row(*([str(k)] if several else []), *cells)
    return Group(table, Text(summary(report), style="green" if report.ok else "bold red"))


def _rows(report: CheckReport) -> list[tuple[int, PointCheck, str, VariableCheck]]:
    rows = [(k, p, name, v) for k, p in enumerate(report.points) for name, v in p.variables.items()]
    if len(report.points) <= ALL_ROWS:
        return rows
    worst: dict[str, tuple[int, PointCheck, str, VariableCheck]] = {}
    for row in rows:
        seen = worst.get(row[2])
        if seen is None or not row[3].rel_error <= seen[3].rel_error:
            worst[row[2]] = row
    keep = {id(row) for row in worst.values()} | {id(row) for row in rows if not row[3].ok}
    return [row for row in rows if id(row) in keep]


def _band(v: VariableCheck) -> Text:
    """CS231n's band, or, where another rule decided, that rule: the band would say "wrong" for a pass."""
    if v.decided_by in DECIDED:
        return Text(DECIDED[v.decided_by], style="green" if v.ok else "bold red")
    return Text(v.band, style=BAND_STYLE[v.band])


def _verdict(v: VariableCheck, digits: int) -> Text:
    if v.decided_by == "not finite":
        wide, narrow = v.diverging or (math.nan, math.nan)
        at_h, at_h100 = (
            f"{short(wide, digits)} at h={short(v.h, 2)}",
            f"{short(narrow, digits)} at h={short(v.h / 100, 2)}",
        )
        grows = f"differences {at_h}, {at_h100}"
        if v.ok:
            text = f"ok: the derivative is infinite here: {grows}"
        elif math.isnan(v.analytic):
            text = "FAIL: the analytic gradient is nan"
        else:
            text = f"FAIL: the analytic gradient is infinite, but the differences do not grow toward it: {grows}"
        return Text(text, style="green" if v.ok else "bold red")
    if v.kink and v.left is not None and v.right is not None:
        inside = "between" if v.ok else "NOT between"
        text = f"kink: {inside} one-sided {short(v.left, digits)} and {short(v.right, digits)}"
    elif v.noise:
        text = "ok: difference within round-off"
    else:
        text = "ok" if v.ok else "FAIL"
    if v.one_sided:
        text += f" (one-sided, h={short(v.h, 2)}: the other side is outside the domain)"
    elif v.near_edge:
        text += f" (near the domain's edge: h={short(v.h, 2)})"
    return Text(text, style="green" if v.ok else "bold red")


def summary(report: CheckReport) -> str:
    """One line: points checked, failures, and the worst rel_error with where it happened."""
    n = len(report.points)
    parts = [f"{'ok' if report.ok else 'FAILED'}: checked {n} point{'s' * (n != 1)} ({report.method})"]
    if report.redrawn or report.skipped:
        parts.append(f"{report.redrawn} draws outside the domain redrawn, {report.skipped} points given up")
    parts.append(f"{report.failed} failed")
    worst = report.worst()
    if worst is None:
        parts.append("no variables to check")
    else:
        point, name, v = worst
        at = ", ".join(f"{k}={short(x, 6)}" for k, x in point.at.items())
        decided = {
            "band": "",
            "kink": " (judged by the kink rule, not the bands)",
            "round-off": " (judged by the round-off rule, not the bands)",
            "not finite": " (the gradient is not finite there)",
        }[v.decided_by]
        parts.append(f"worst rel_error {short(v.rel_error, 2)} for {name} at {at}{decided}")
    return "; ".join(parts)
