"""``cgcli diff``: the derivatives themselves, as simplified expressions that share their parts."""

from __future__ import annotations

import click

from ..modes.diff import differentiate
from .app import cli, expression_command, load, warn


@expression_command(cli, "diff")
@click.option("--wrt", metavar="NAME,...", help="Differentiate by these variables only (default: all).")
@click.option(
    "--order",
    type=click.IntRange(1, 100),
    default=1,
    show_default=True,
    help="Differentiate N times (with exactly one --wrt variable).",
)
@click.option("--hessian", is_flag=True, help="Every second derivative ∂²f/∂u∂v.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "latex", "python", "json"]),
    default="text",
    show_default=True,
    help="cgcli's own language, LaTeX, a Python function, or JSON.",
)
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.option("--fuse", "fused", is_flag=True, help="Collapse every 1/(1+exp(-E)) into one sigmoid gate first.")
@click.option("--digits", type=click.IntRange(1, 17), default=6, show_default=True, help="Digits of values.")
def diff(
    expression: str | None,
    assignments: tuple[str, ...],
    wrt: str | None,
    order: int,
    hessian: bool,
    fmt: str,
    as_json: bool,
    fused: bool,
    digits: int,
) -> None:
    """Print the derivative itself: ∂f/∂v as an expression, simplified.

    Sub-expressions the derivatives share are printed once, as named
    statements (t1 = …) before them.  With VARS each derivative's value
    there follows it, equal to grad's.

    \b
    Example:
      $ cgcli diff '(x+y)*z'
      ∂f/∂x = z
      ∂f/∂y = z
      ∂f/∂z = x + y
      $ cgcli diff 'sin(x)*exp(x)' --wrt x --order 2
      $ cgcli diff 'x^2*y' --hessian --format latex
    """
    graph, point = load(expression, assignments, fused, missing="structure")  # VARS are optional, all or none
    names = [name.strip() for name in wrt.split(",") if name.strip()] if wrt else None
    result = differentiate(graph, names, order, hessian, point or None)
    if not graph.variables:  # as `check 3` says: a constant has no derivative to print
        warn(["the expression uses no variable: there is nothing to differentiate"])
    if as_json:
        fmt = "json"
    if fmt == "json":
        from ..present.diff_json import diff_json
        from ..present.json import dumps

        click.echo(dumps(diff_json(result)))
    elif fmt == "latex":
        from ..present.diff_latex import diff_latex

        click.echo(diff_latex(result, digits))
    elif fmt == "python":
        from ..present.diff_python import diff_python

        click.echo(diff_python(result))
    else:
        from ..present.diff_text import diff_text

        text = diff_text(result, digits)
        if text:  # an expression without variables has no derivatives to print
            click.echo(text)
