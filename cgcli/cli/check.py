"""``cgcli check``: analytic gradients against numeric ones."""

from __future__ import annotations

import math
from typing import Any

import click

from ..modes.check_defaults import DEFAULT_RANGE, DEFAULT_SEED, DEFAULT_STEP, DEFAULT_TOLERANCE
from .app import cli, expression_command, load, warn


class FiniteRange(click.FloatRange):
    """A float option in a range; nan and inf are not numbers a step or tolerance can be."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


#: --random's bound: a million points is minutes of work; more is surely a slip
MAX_SAMPLES = 1_000_000


class Interval(click.ParamType):
    """``LO:HI`` -> (lo, hi), finite and lo < hi."""

    name = "LO:HI"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):  # the default, already converted
            return value
        lo, colon, hi = str(value).partition(":")
        try:
            bounds = (float(lo), float(hi)) if colon else None
        except ValueError:
            bounds = None
        if bounds is None or not all(map(math.isfinite, bounds)) or not bounds[0] < bounds[1]:
            self.fail(f"{value!r} is not LO:HI with LO < HI, such as -2:2", param, ctx)
        return bounds


JSON_HELP = (
    "Print one JSON document instead of the table: expression, ok, step, tolerance and points "
    "(at, value, and per variable analytic, numeric, rel_error, ok, kink)."
)


@expression_command(cli, "check")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.option(
    "--step",
    type=FiniteRange(min=0, min_open=True, max=1),
    default=DEFAULT_STEP,
    show_default=True,
    help="h = STEP * max(1, |x|) for a variable at x.",
)
@click.option(
    "--tol",
    type=FiniteRange(min=0, max=1),
    default=DEFAULT_TOLERANCE,
    show_default=True,
    help="The largest rel_error that passes.",
)
@click.option(
    "--method",
    type=click.Choice(["central", "complex"]),
    default="central",
    show_default=True,
    help="Centred differences, or the complex step (no cancellation; smooth expressions).",
)
@click.option("--random", "samples", type=click.IntRange(1, MAX_SAMPLES), help="Check N random points instead of one.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Seed of the random points.")
@click.option(
    "--range",
    "value_range",
    type=Interval(),
    default=f"{DEFAULT_RANGE[0]:g}:{DEFAULT_RANGE[1]:g}",
    show_default=True,
    metavar="LO:HI",
    help="Where random values are drawn from.",
)
@click.option("--digits", type=click.IntRange(1, 17), default=6, show_default=True, help="Significant digits shown.")
def check_command(
    expression: str | None,
    assignments: tuple[str, ...],
    as_json: bool,
    step: float,
    tol: float,
    method: str,
    samples: int | None,
    seed: int,
    value_range: tuple[float, float],
    digits: int,
) -> None:
    """Compare the analytic gradient with numeric differences; exit 1 if any is off.

    Each variable gets the centred difference (f(x+h) - f(x-h)) / 2h, or the
    complex step, its rel_error and CS231n's verdict band.  Where relu, abs,
    max or min changes branch within h (a kink), the analytic value passes
    if it lies between the left and right one-sided differences.  Variables
    given on the command line stay fixed under --random; the rest are drawn.

    \b
    Examples:
      cgcli check '1/(1+exp(-(w0*x0+w1*x1+w2)))' w0=2 x0=-1 w1=-3 x1=-2 w2=-3
      cgcli check 'relu(x)' x=0
      cgcli check 'max(x, y) * z' --random 1000 --seed 1 --range -3:3
    """
    from ..modes.check import check

    graph, point = load(expression, assignments, missing="random" if samples is None else "drawn")
    report = check(
        graph,
        point,
        step=step,
        tolerance=tol,
        method=method,
        samples=samples,
        seed=seed,
        value_range=value_range,
    )
    warn(report.warnings)  # overflow and NaN notes, as grad gives them (SPEC.md)
    if as_json:
        from ..present.json import check_json, dumps

        click.echo(dumps(check_json(report)))
    else:
        from ..present.check_table import check_view
        from ..present.table import print_rich

        print_rich(check_view(report, digits))
    if not report.ok:
        raise click.exceptions.Exit(1)
