"""``cgcli descend``: gradient descent from the point given, with the loss plotted."""

from __future__ import annotations

import sys

import click

from ..errors import EvaluationError, UsageError
from ..modes.descend import DEFAULT_LR, DEFAULT_STEPS, DEFAULT_TOL, MAX_STEPS
from .app import cli, expression_command, load
from .check import FiniteRange


@expression_command(cli, "descend")
@click.option("--wrt", metavar="NAME,...", help="The variables to train (default: all); the others stay fixed.")
@click.option(
    "--lr",
    metavar="R",
    type=FiniteRange(min=0, min_open=True),
    default=DEFAULT_LR,
    show_default=True,
    help="The learning rate, above 0.",
)
@click.option(
    "--steps",
    metavar="N",
    type=click.IntRange(0, MAX_STEPS),
    default=DEFAULT_STEPS,
    show_default=True,
    help="At most N steps (0: only the start).",
)
@click.option(
    "--tol",
    metavar="T",
    type=FiniteRange(min=0),
    default=DEFAULT_TOL,
    show_default=True,
    help="Stop once |Δf| and the gradient's norm are both below T (0: never).",
)
@click.option("--json", "as_json", is_flag=True, help="Print every step as JSON (SPEC.md's shape).")
@click.option("--plot/--no-plot", default=None, help="Draw f against the step [default: on a terminal only].")
@click.option("--digits", type=click.IntRange(1, 17), default=6, show_default=True, help="Significant digits shown.")
def descend_command(
    expression: str | None,
    assignments: tuple[str, ...],
    wrt: str | None,
    lr: float,
    steps: int,
    tol: float,
    as_json: bool,
    plot: bool | None,
    digits: int,
) -> None:
    """Run gradient descent: each step moves v by -lr·∂f/∂v, for every --wrt variable.

    Starts from the point given (every variable needs a value); the
    variables not in --wrt are data and stay fixed.  Stops after --steps
    steps, or once |Δf| and the gradient's norm are both below --tol.
    A value or gradient that stops being finite, or a value outside a
    function's domain, ends the run (exit 3) with the steps before it kept.

    \b
    Examples:
      cgcli descend '(x-3)^2' --x=0 --lr 0.1
      cgcli descend '(sigmoid(w0*x0+w1*x1+w2) - 1)^2' --w0=2 --x0=-1 --w1=-3 --x1=-2 --w2=-3 --wrt w0,w1,w2
    """
    from ..modes.descend import descend

    if as_json and plot:
        raise UsageError("--plot draws beside the table; --json prints no plot")
    graph, point = load(expression, assignments)
    names = None if wrt is None else [name.strip() for name in wrt.split(",") if name.strip()]
    run = descend(graph, point, names, lr=lr, steps=steps, tol=tol)
    if as_json:
        from ..present.json import descend_json, dumps

        click.echo(dumps(descend_json(run)))
    else:
        from ..present.descend_table import descend_view
        from ..present.table import print_rich

        print_rich(descend_view(run, digits, plot=sys.stdout.isatty() if plot is None else plot))
    if run.error is not None:
        raise EvaluationError(run.error)
