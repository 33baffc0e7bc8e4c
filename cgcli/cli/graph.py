"""``cgcli graph``: the graph as a tree, DOT, Mermaid, SVG, PNG or an interactive page."""

from __future__ import annotations

import io
import os
import sys
import tempfile

import click

from ..core.engine import evaluate
from ..errors import UsageError
from .app import cli, expression_command, load, warn

FORMATS = ["tree", "dot", "mermaid", "svg", "png", "html"]

#: what ``-o FILE`` writes when --format is not given, by FILE's extension
EXTENSIONS = {
    ".txt": "tree",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mermaid",
    ".svg": "svg",
    ".png": "png",
    ".html": "html",
    ".htm": "html",
}


@expression_command(cli, "graph")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="A Rich tree, Graphviz DOT, Mermaid, a picture drawn by Graphviz, or an interactive page "
    "(default: from -o FILE's extension, else tree).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE, not stdout.")
@click.option("--fuse", "fused", is_flag=True, help="Collapse every 1/(1+exp(-E)) into one sigmoid gate.")
@click.option("--digits", type=click.IntRange(1, 17), default=3, show_default=True, help="Significant digits shown.")
def graph_command(
    expression: str | None, assignments: tuple[str, ...], fmt: str | None, output: str | None, fused: bool, digits: int
) -> None:
    """Draw the computational graph; with values, its values (green) and gradients (red).

    Without VARS the picture shows the structure only; with a value for
    every variable it shows each edge's forward value, the gradient flowing
    back along it and its local gradient, as on the lecture's slides.
    --format html writes one self-contained page that steps through both
    passes.  -o FILE.svg (.png .dot .mmd .html .txt) picks the format.

    \b
    Examples:
      cgcli graph '(x+y)*z'
      cgcli graph '(x+y)*z' --x=-2 --y=5 --z=-4 --format dot
      cgcli graph '(x+y)*z' --x=-2 --y=5 --z=-4 -o graph.svg
      cgcli graph '(x+y)*z' --x=-2 --y=5 --z=-4 -o graph.html
    """
    fmt = output_format(fmt, output)
    graph, point = load(expression, assignments, fused, missing="structure")
    result = None
    if point or not graph.variables:
        result = evaluate(graph, point)
        warn(result.warnings)
    if fmt == "tree":
        from ..present.table import print_rich
        from ..present.tree import graph_tree

        if output is None:
            print_rich(graph_tree(graph, result, digits))
            return
        text = io.StringIO()
        print_rich(graph_tree(graph, result, digits), text)
        data = text.getvalue().encode("utf-8")
    elif fmt == "html":
        from ..present.html import graph_page

        data = graph_page(graph, result, digits)
    else:
        from ..present.render import picture

        data = picture(graph, result, fmt, digits)
    if output is not None:
        write_whole(output, data)
    elif fmt != "png":
        click.echo(data.decode("utf-8"), nl=False)
    elif sys.stdout.isatty() or not hasattr(sys.stdout, "buffer"):
        raise UsageError("a PNG is binary: write it with -o FILE, or pipe it")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def output_format(fmt: str | None, output: str | None) -> str:
    """--format, else the one -o FILE's extension names, else tree; a usage error when they disagree."""
    implied = EXTENSIONS.get(os.path.splitext(output)[1].lower()) if output else None
    if fmt is None:
        return implied or "tree"
    if implied is not None and implied != fmt:
        raise UsageError(f"--format {fmt} does not match -o {output}, which names {implied}: drop one or agree")
    return fmt


def write_whole(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (SPEC.md: -o FILE).

    The bytes go to a temporary file beside ``path``, which is renamed over it
    only once they are all written: a failure at any moment (a full disk, a
    signal) leaves an existing ``path`` as it was.  A symbolic link is
    followed, so the file it points to is the one replaced; the new file keeps
    the old one's permissions, or gets the usual ones (0666 less the umask).
    """
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    except OSError as e:
        raise UsageError(f"cannot write {path}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, _mode(target))
        os.replace(temporary, target)
    except BaseException:
        # NOTE: BaseException: Ctrl-C mid-write must not leave the temporary file behind either
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _mode(target: str) -> int:
    """The permissions the written file gets: the old file's, else 0666 less the umask."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
