"""The ``cgcli`` command: a thin layer over the library.

Each command reads its input, parses, evaluates and hands the result to a
presenter.  Errors are typed in the library and become one message on
stderr and SPEC.md's exit code in `main`, the only place that knows both.
"""

from __future__ import annotations

import errno
import functools
import io
import os
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import click

from .. import __version__
from ..core.graph import Graph
from ..core.ops import CONSTANTS, FUNCTIONS
from ..entry import INTERRUPTED, Interrupted, ReaderGone, say_interrupted
from ..errors import USAGE, CgcliError, ParseError, UsageError
from ..language.parser import parse, place
from .args import ExpressionCommand, check_names, read_expression, read_values

INTERNAL = 70  # EX_SOFTWARE: a bug in cgcli, not in the input
IO_ERROR = 74  # EX_IOERR: the results could not be written (a full disk)

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def expression_command(group: click.Group, name: str) -> Callable[[Callable[..., Any]], click.Command]:
    """Register a command taking ``EXPR [VARS]``: the flags every command shares, in one place."""

    def decorate(f: Callable[..., Any]) -> click.Command:
        f = _out_of_memory_in_place(f)
        f = click.argument("expression", required=False, metavar="EXPR")(f)
        f = click.option(
            "--at",
            metavar="FILE|-",
            expose_value=False,
            callback=_remember_at,
            help='Read variables from a JSON object such as {"x": -2} (- for standard input); options override it.',
        )(f)
        f = click.option(
            "--var",
            "assignments",
            multiple=True,
            metavar="NAME=VALUE",
            help="Set a variable (also --NAME=VALUE, --NAME VALUE, NAME=VALUE).",
        )(f)
        return group.command(name, cls=ExpressionCommand, context_settings=CONTEXT, epilog=LANGUAGE)(f)

    return decorate


#: the language in brief, under every expression command's --help (from the op table, so it stays current)
LANGUAGE = "\n".join(
    [
        "\b",
        "The language (README: The expression language):",
        "  operators  + - * / ^ (also **), unary -, parentheses",
        *textwrap.wrap(
            ", ".join(sorted(set(FUNCTIONS) - {"max", "min", "pow"}))
            + ", max(a, b, ...), min(a, b, ...), pow(a, b); log is natural",
            width=78,
            initial_indent="  functions  ",
            subsequent_indent=" " * 13,
        ),
        f"  constants  {', '.join(CONSTANTS)}",
    ]
)

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
        except (SystemError, ImportError) as e:
            if not _memory_ran_out(e):
                raise
        raise UsageError(OUT_OF_MEMORY)

    return run


def _memory_ran_out(e: Exception) -> bool:
    """Whether ``e`` is how a small ``ulimit -v`` shows, other than as a MemoryError.

    NOTE: CPython 3.11 loses some MemoryErrors raised in C (a generator's frame, str.join)
    and reports "error return without exception set" or "returned NULL without setting an
    exception"; a C extension (NumPy) that cannot be mapped into memory fails to import.
    """
    text = str(e)
    if isinstance(e, SystemError):
        return "without exception set" in text or "without setting an exception" in text
    return "failed to map segment" in text or "Cannot allocate memory" in text


def _remember_at(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """--at is read by `load`, after the expression (both may be standard input)."""
    ctx.meta[AT] = value


AT = "cgcli.at"


def load(
    expression: str | None, assignments: tuple[str, ...], fused: bool = False, missing: str = "error"
) -> tuple[Graph, dict[str, float]]:
    """Read and parse the expression (fused, if asked), and the point to evaluate it at.

    A definition the output does not use is a warning here; a value given for
    a defined name is a usage error that points at its definition.
    ``missing``: what a variable without a value means (`cgcli.cli.args.check_names`).
    """
    ctx = click.get_current_context()
    at = ctx.meta.get(AT)
    if at == "-" and expression == "-":
        raise UsageError("the expression and --at cannot both come from standard input")
    graph = parse(read_expression(expression))
    notes: list[str] = []
    point = read_values(at, assignments, notes)
    warn(notes)
    on_the_line = {assignment.partition("=")[0] for assignment in assignments}
    for name in point:
        if name in graph.definitions:
            pos = graph.definitions[name]
            source = "standard input" if at == "-" else at
            where = "on the command line" if name in on_the_line else f"in --at {source}"
            raise ParseError(
                graph.source,
                pos,
                f"{name} is defined {place(graph.source, pos)} and also given a value {where}",
                f"drop the value: {name} is computed from its definition",
                located=False,
            )
    warn(graph.warnings)
    # the variables of unused definitions are not evaluated: their values are not needed, nor wrong
    point = {name: value for name, value in point.items() if name not in graph.unused_variables}
    if fused:
        from ..core.fuse import fuse

        graph = fuse(graph)
    check_names(graph, point, [o for p in ctx.command.params for o in p.opts], missing)
    return graph, point


def warn(messages: list[str]) -> None:
    for message in messages:
        click.echo(f"cgcli: warning: {message}", err=True)


class Cgcli(click.Group):
    """The command group; turns every error of a command into SPEC.md's message and exit code."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args:  # bare cgcli: the help, on stdout, exit 0 (as git and click's default do)
            click.echo(ctx.get_help())
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        # NOTE: click's main() turns EPIPE into exit 1 and Ctrl-C into a blank line and exit 1,
        # even with standalone_mode=False: these two leave as exceptions click does not catch
        except BrokenPipeError:  # stderr's reader went away, or a stdout not behind cgcli.entry's
            raise ReaderGone from None
        except KeyboardInterrupt:  # Python's own handler: main() called without cgcli.entry
            raise Interrupted from None
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
      cgcli grad 'q = x + y; f = q * z' --x=-2 --y=5 --z=-4
      cgcli grad '(x+y)*z' --x=-2 --y=5 --z=-4
      cgcli grad '1/(1+exp(-(w0*x0+w1*x1+w2)))' w0=2 x0=-1 w1=-3 x1=-2 w2=-3 --json
      cgcli check 'relu(x) + max(x, y)' x=0 y=0
      cgcli graph '(x+y)*z' --x=-2 --y=5 --z=-4 -o graph.html
      cgcli diff 'sigmoid(w*x + b)'
      cgcli descend '(x-3)^2' --x=0 --lr 0.1
    """


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
    except (Interrupted, KeyboardInterrupt, click.Abort):
        say_interrupted()
        return INTERRUPTED
    except (ReaderGone, BrokenPipeError):
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
    except (SystemError, ImportError) as e:
        if not _memory_ran_out(e):
            _report(f"internal error, please report it: {type(e).__name__}: {e}")
            return INTERNAL
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
    """The console script's entry point before cgcli.entry (an install made then still calls it)."""
    from ..entry import run

    run()
