"""``cgcli graph``: the graph as a tree, DOT, Mermaid, SVG or PNG."""

from __future__ import annotations

import contextlib
import sys
from typing import Any

import click

from ..core.engine import evaluate
from ..errors import UsageError
from .app import cli, expression_command, load, warn


@expression_command(cli, "graph")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tree", "dot", "mermaid", "svg", "png"]),
    default="tree",
    show_default=True,
    help="A Rich tree, Graphviz DOT, Mermaid, or a picture drawn by Graphviz.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE, not stdout.")
@click.option("--fuse", "fused", is_flag=True, help="Collapse every 1/(1+exp(-E)) into one sigmoid gate.")
@click.option("--digits", type=click.IntRange(1, 17), default=3, show_default=True, help="Significant digits shown.")
def graph_command(
    expression: str | None, assignments: tuple[str, ...], fmt: str, output: str | None, fused: bool, digits: int
) -> None:
    """Draw the computational graph; with values, its values (green) and gradients (red).

    Without VARS the picture shows the structure only; with a value for
    every variable it shows each edge's forward value, the gradient flowing
    back along it and its local gradient, as on the lecture's slides.

    \b
    Examples:
      cgcli graph '(x+y)*z'
      cgcli graph '(x+y)*z' --x=-2 --y=5 --z=-4 --format dot
      cgcli graph '(x+y)*z' --x=-2 --y=5 --z=-4 --format svg -o graph.svg
    """
    graph, point = load(expression, assignments, fused, missing="structure")
    result = None
    if point or not graph.variables:
        result = evaluate(graph, point)
        warn(result.warnings)
    if fmt == "tree":
        from ..present.table import print_rich
        from ..present.tree import graph_tree

        with _output_file(output, "w") as file:
            print_rich(graph_tree(graph, result, digits), file)
        return
    from ..present.render import picture

    data = picture(graph, result, fmt, digits)
    if output is not None:
        with _output_file(output, "wb") as file:
            file.write(data)
    elif fmt != "png":
        click.echo(data.decode("utf-8"), nl=False)
    elif sys.stdout.isatty() or not hasattr(sys.stdout, "buffer"):
        raise UsageError("a PNG is binary: write it with -o FILE, or pipe it")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def _output_file(path: str | None, mode: str) -> Any:
    """``-o FILE`` opened for writing (a usage error if it cannot be), or None for stdout.

    A write that fails later (a full disk) is main()'s "cannot write the output".
    """
    if path is None:
        return contextlib.nullcontext(None)
    try:
        return open(path, mode, encoding=None if "b" in mode else "utf-8")
    except OSError as e:
        raise UsageError(f"cannot write {path}: {e.strerror or e}") from None
