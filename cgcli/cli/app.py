"""The ``cgcli`` command: a thin layer over the library.

Each command reads its input, parses, evaluates and hands the result to a
presenter.  Errors are typed in the library and become one message on
stderr and SPEC.md's exit code in `main`, the only place that knows both.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import math
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from .. import __version__
from ..core.engine import evaluate
from ..core.graph import Graph
from ..errors import USAGE, CgcliError, UsageError
from ..language.parser import parse
from ..modes.check_defaults import DEFAULT_RANGE, DEFAULT_SEED, DEFAULT_STEP, DEFAULT_TOLERANCE
from .args import ExpressionCommand, parse_variables, read_expression

INTERNAL = 70  # EX_SOFTWARE: a bug in cgcli, not in the input
IO_ERROR = 74  # EX_IOERR: the results could not be written (a full disk)

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def expression_command(group: click.Group, name: str) -> Callable[[Callable[..., Any]], click.Command]:
    """Register a command taking ``EXPR [VARS]``: the flags every command shares, in one place."""

    def decorate(f: Callable[..., Any]) -> click.Command:
        f = _out_of_memory_in_place(f)
        f = click.argument("expression", required=False, metavar="EXPR")(f)
        f = click.option(
            "--var",
            "assignments",
            multiple=True,
            metavar="NAME=VALUE",
            help="Set a variable (also --NAME=VALUE, --NAME VALUE, NAME=VALUE).",
        )(f)
        return group.command(name, cls=ExpressionCommand, context_settings=CONTEXT)(f)

    return decorate


OUT_OF_MEMORY = "out of memory: the expression or input is too large"


def _out_of_memory_in_place(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a MemoryError into a usage error inside the command, before it leaves for click.

    NOTE: CPython 3.11 can spin forever when a MemoryError unwinds through a
    ``with`` block (click's contexts) while memory is still exhausted: the
    unwinding allocates an int and fails again (python/cpython#132508).  Leaving
    the ``except`` here drops the traceback, and with it the half-built graph,
    so the error raised next has memory to unwind with.
    """

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except MemoryError:
            pass  # raise outside the except block, once the frames are gone
        raise UsageError(OUT_OF_MEMORY)

    return run


def load(expression: str | None, assignments: tuple[str, ...], fused: bool = False) -> tuple[Graph, dict[str, float]]:
    """Read and parse the expression (fused, if asked), and the point to evaluate it at."""
    graph = parse(read_expression(expression))
    if fused:
        from ..core.fuse import fuse

        graph = fuse(graph)
    return graph, parse_variables(assignments)


def warn(messages: list[str]) -> None:
    for message in messages:
        click.echo(f"cgcli: warning: {message}", err=True)


class Cgcli(click.Group):
    """The command group; turns every error of a command into SPEC.md's message and exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CgcliError as e:
            _report(str(e))
            raise click.exceptions.Exit(e.exit_code) from None
        except click.ClickException as e:
            _report(e.format_message())
            raise click.exceptions.Exit(e.exit_code or USAGE) from None


@click.group(cls=Cgcli, context_settings=CONTEXT)
@click.version_option(__version__, "--version", "-V", prog_name="cgcli")
def cli() -> None:
    """Backpropagation you can see: the computational graph of an expression,
    its values, local gradients and global gradients.

    \b
    Examples:
      cgcli grad '(x+y)*z' --x=-2 --y=5 --z=-4
      cgcli grad '1/(1+exp(-(w0*x0+w1*x1+w2)))' w0=2 x0=-1 w1=-3 x1=-2 w2=-3 --json
    """


@expression_command(cli, "grad")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (SPEC.md's shape) instead of a table.")
@click.option("--digits", type=click.IntRange(1, 17), default=6, show_default=True, help="Significant digits shown.")
@click.option("--steps", is_flag=True, help="Narrate the backward pass edge by edge.")
@click.option("--fuse", "fused", is_flag=True, help="Collapse every 1/(1+exp(-E)) into one sigmoid gate.")
@click.option("--explain", is_flag=True, help="Under the table, say what each gate role does to the gradient.")
@click.option(
    "--points",
    metavar="FILE|-",
    help="Evaluate every record of FILE (JSON Lines or CSV; - for standard input), one output record each.",
)
@click.option(
    "--points-format",
    type=click.Choice(["jsonl", "csv"]),
    help="The format of --points (default: from the file's extension; JSON Lines on standard input).",
)
def grad(
    expression: str | None,
    assignments: tuple[str, ...],
    as_json: bool,
    digits: int,
    steps: bool,
    fused: bool,
    explain: bool,
    points: str | None,
    points_format: str | None,
) -> None:
    """Show every node's value, local gradients and global gradient.

    EXPR is an expression (or - for standard input, or @FILE); variables
    follow as --x=-2, --x -2, x=-2 or --var x=-2.  An expression that begins
    with - goes after --.

    \b
    Example:
      $ cgcli grad '(x+y)*z' --x=-2 --y=5 --z=-4
      ...
      ∂f/∂x = -4
      ∂f/∂y = -4
      ∂f/∂z = 3
      $ printf '{"x": -2, "y": 5, "z": -4}\\n' | cgcli grad '(x+y)*z' --points -
      {"value": -12.0, "gradient": {"x": -4.0, "y": -4.0, "z": 3.0}}
    """
    if points is not None:
        grad_points(expression, assignments, points, points_format)
        return
    graph, point = load(expression, assignments, fused)
    result = evaluate(graph, point)
    warn(result.warnings)
    if as_json:
        from ..present.json import dumps, grad_json

        document = grad_json(result)
        if steps:
            from ..present.steps import steps_json

            document["steps"] = steps_json(result)
        click.echo(dumps(document))
    else:
        from ..present.table import grad_view, print_rich

        print_rich(grad_view(result, digits, explain))
        if steps:
            from ..present.steps import steps_text

            click.echo(steps_text(result, digits))


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
    graph, point = load(expression, assignments, fused)
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


@expression_command(cli, "check")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (SPEC.md's shape) instead of a table.")
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

    graph, point = load(expression, assignments)
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


def grad_points(expression: str | None, assignments: tuple[str, ...], path: str, fmt: str | None) -> None:
    """``grad --points``: stream the records of ``path`` through the graph (NumPy is imported only here)."""
    if assignments:
        raise UsageError("--points reads every variable from its records; drop the variables given as options")
    if path == "-" and expression == "-":
        raise UsageError("the expression and --points cannot both come from standard input")
    graph = parse(read_expression(expression))
    from ..modes.points import guess_format, stream

    fmt = guess_format(path, fmt)
    if path == "-" and sys.stdin is None:  # the shell closed it: <&-
        raise UsageError("cannot read the points from standard input: it is closed")
    try:
        source = sys.stdin if path == "-" else open(path, encoding="utf-8", newline="")
    except OSError as e:
        raise UsageError(f"cannot read the points from {path}: {e.strerror or e}") from None
    try:
        summary = stream(graph, source, sys.stdout, fmt)
    except UnicodeDecodeError as e:
        raise UsageError(f"cannot read the points from {path}: not UTF-8 text ({e.reason})") from None
    finally:
        if source is not sys.stdin:
            source.close()
    if summary.failed:
        warn([f"{summary.failed} of {summary.records} records failed (the first on line {summary.first_failed})"])


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; no failure ends in a traceback."""
    if sys.stdout is None:  # the shell closed it (cgcli … >&-): writing the results fails below
        sys.stdout = _ClosedOutput()
    for stream in (sys.stdout, sys.stderr):
        # an ASCII terminal (PYTHONIOENCODING=ascii) gets \u2202 for ∂ rather than a crash
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")
    try:
        code = cli.main(args=argv, prog_name="cgcli", standalone_mode=False)
        sys.stdout.flush()  # a full disk shows here, and not at exit as Python's own traceback
    except click.ClickException as e:  # errors before a command runs: cgcli --nope
        _report(e.format_message())
        return e.exit_code or USAGE
    except (click.Abort, KeyboardInterrupt):
        return 130
    except BrokenPipeError:
        # the reader (head, less) has gone; say nothing, as Unix tools do
        _discard_stdout()
        return 0
    except OSError as e:  # writing the results failed: a full disk, an I/O error
        _discard_stdout()
        _report(f"cannot write the output: {e.strerror or e}")
        return IO_ERROR
    except MemoryError:
        # report only after the except block: the traceback holds every frame (and the
        # half-built graph) alive, and reporting inside it can run out of memory again
        code = _OUT_OF_MEMORY
    except Exception as e:  # noqa: BLE001 - a bug; still one message, never a traceback
        _report(f"internal error, please report it: {type(e).__name__}: {e}")
        return INTERNAL
    if code is _OUT_OF_MEMORY:
        try:
            _report(OUT_OF_MEMORY)
        except MemoryError:  # no memory even for click: write the bytes ourselves
            os.write(2, b"cgcli: error: out of memory\n")
        return USAGE
    return code if isinstance(code, int) else 0


_OUT_OF_MEMORY = object()


class _ClosedOutput(io.TextIOBase):
    """Standard output when the shell closed it: any write fails, as a write to a closed file does."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so that what is still buffered does not fail again at exit."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # a stdout with no file behind it (a test's, a program's)
        pass


def _report(message: str) -> None:
    """One message on stderr: 'cgcli: error: ' and the first line, then any quoted lines."""
    first, *rest = message.splitlines() or [""]
    try:
        click.echo(f"cgcli: error: {first}", err=True)
        for line in rest:
            click.echo(line, err=True)
    except OSError:  # stderr is closed: the exit code still tells
        pass


def run() -> None:
    """The console script's entry point."""
    sys.exit(main())
