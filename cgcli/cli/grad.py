"""``cgcli grad``: every node's value, local gradients and global gradient; ``--points`` for many."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..core.engine import evaluate
from ..errors import UsageError
from ..language.parser import parse
from .app import AT, OUT_OF_MEMORY, cli, expression_command, load, warn
from .args import read_expression

JSON_HELP = (
    "Print one JSON document instead of the table: expression, value, gradient (by variable) and "
    'nodes (id, op, expr, inputs, value, local, grad, role); non-finite numbers as "inf", "nan".'
)


@expression_command(cli, "grad")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
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

    EXPR is an expression or a program (q = x + y; f = q * z), or - for
    standard input, or @FILE; variables follow as --x=-2, --x -2, x=-2 or
    --var x=-2.  An expression that begins with - goes after --.

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
        ignored = {"--json": as_json, "--steps": steps, "--explain": explain, "--digits": _given("digits")}
        grad_points(expression, assignments, points, points_format, fused, [k for k, on in ignored.items() if on])
        return
    graph, point = load(expression, assignments, fused)
    result = evaluate(graph, point)
    warn(result.warnings)
    if as_json:
        from ..present.json import grad_json_chunks

        extra = {}
        if steps:
            from ..present.steps import steps_json

            extra["steps"] = steps_json(result)
        for chunk in grad_json_chunks(result, extra):
            click.echo(chunk, nl=False)
        click.echo()
    else:
        from ..present.table import grad_view, print_rich

        print_rich(grad_view(result, digits, explain))
        if steps:
            from ..present.steps import steps_text

            click.echo(steps_text(result, digits))


def grad_points(
    expression: str | None,
    assignments: tuple[str, ...],
    path: str,
    fmt: str | None,
    fused: bool = False,
    ignored: list[str] | None = None,
) -> None:
    """``grad --points``: stream the records of ``path`` through the graph (NumPy is imported only here)."""
    if ignored:
        raise UsageError(
            f"--points prints one record (value and gradient, full precision) per input record, "
            f"in the input's format: {', '.join(ignored)} cannot apply; drop {'it' if len(ignored) == 1 else 'them'}"
        )
    if assignments or click.get_current_context().meta.get(AT):
        raise UsageError("--points reads every variable from its records; drop the variables given as options or --at")
    if path == "-" and expression == "-":
        raise UsageError("the expression and --points cannot both come from standard input")
    graph = parse(read_expression(expression))
    warn(graph.warnings)
    if fused:
        from ..core.fuse import fuse

        graph = fuse(graph)
    _import_numeric_libraries()
    from ..modes.points import guess_format, stream

    fmt = guess_format(path, fmt)
    if path == "-" and sys.stdin is None:  # the shell closed it: <&-
        raise UsageError("cannot read the points from standard input: it is closed")
    try:
        # bytes: modes.points decodes each line itself
        source: Any = _bytes_of(sys.stdin) if path == "-" else open(path, "rb")
    except OSError as e:
        raise UsageError(f"cannot read the points from {path}: {e.strerror or e}") from None
    sys.stdout.flush()
    try:
        summary = stream(graph, source, _bytes_to(sys.stdout), fmt)
    finally:
        if path != "-":
            source.close()
    if summary.failed:
        warn([f"{summary.failed} of {summary.records} records failed (the first on line {summary.first_failed})"])


def _given(parameter: str) -> bool:
    """Whether the user wrote the option (``--digits 6`` too), not merely got its default."""
    from click.core import ParameterSource

    return click.get_current_context().get_parameter_source(parameter) is ParameterSource.COMMANDLINE


class _TextAsBytes:
    """A text stream with no bytes behind it (a test's, an embedding program's), read or written as UTF-8."""

    def __init__(self, text: Any) -> None:
        self.text = text

    def read(self, size: int) -> bytes:
        return self.text.read(size).encode("utf-8", "surrogateescape")

    def write(self, data: bytes) -> None:
        self.text.write(data.decode("utf-8"))

    def flush(self) -> None:
        self.text.flush()


def _bytes_of(stream: Any) -> Any:
    return getattr(stream, "buffer", None) or _TextAsBytes(stream)


_bytes_to = _bytes_of


#: the address space below which NumPy's and polars' start-up cannot be trusted to fail cleanly
MIN_ADDRESS_SPACE = 1 << 30


def _import_numeric_libraries() -> None:
    """Import NumPy and orjson (polars comes when a group is large), or say "out of memory" as every
    command does.

    NOTE: under a small address-space limit (ulimit -v) OpenBLAS prints its own
    errors and polars' allocator aborts the process, neither of which Python can
    catch: below MIN_ADDRESS_SPACE the run stops before importing them, with the
    one out-of-memory message.  One BLAS thread: nothing here multiplies matrices.
    """
    import os

    try:
        import resource
    except ImportError:  # not a Unix: no ulimit -v to mind
        pass
    else:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY and soft < MIN_ADDRESS_SPACE:
            raise UsageError(OUT_OF_MEMORY)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        import numpy  # noqa: F401
        import orjson  # noqa: F401
    except ImportError as e:
        if isinstance(e, ModuleNotFoundError):
            raise
        raise UsageError(OUT_OF_MEMORY) from None  # a library that could not map its code
