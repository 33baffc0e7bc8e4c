"""``graph``'s text and pictures as bytes: DOT and Mermaid text, and SVG or PNG
drawn by Graphviz's ``dot`` program from `graph_dot`'s text."""

from __future__ import annotations

import errno
import math
import os
import shutil
import signal
import subprocess

from ..core.engine import Result
from ..core.graph import Graph
from ..errors import UsageError
from .dot import graph_dot
from .mermaid import graph_mermaid


def picture(graph: Graph, result: Result | None, fmt: str, digits: int) -> bytes:
    """``graph`` as ``dot``, ``mermaid``, ``svg`` or ``png`` bytes."""
    if fmt == "mermaid":
        return graph_mermaid(graph, result, digits).encode()
    text = graph_dot(graph, result, digits)
    return text.encode() if fmt == "dot" else render(text, fmt)


def render(dot_text: str, fmt: str) -> bytes:
    """Run ``dot -T<fmt>`` on ``dot_text`` (an argument list, never a shell).

    Every way that can fail is a UsageError saying what happened (exit 2):
    a graph too large to lay out, said before dot starts (`cgcli.present.layout`);
    dot not found or not runnable, and why; dot crashed, with its signal; dot
    failed, with what it said; dot slower than CGCLI_DOT_TIMEOUT seconds.
    """
    from .layout import refuse_large_layout

    refuse_large_layout(dot_text, fmt)
    program = shutil.which("dot")
    if program is None:
        raise UsageError(
            f"--format {fmt} needs Graphviz's dot program: install the graphviz package "
            "(apt-get install graphviz, brew install graphviz), or use --format dot"
        )
    limit = dot_timeout()
    try:
        done = subprocess.run([program, f"-T{fmt}"], input=dot_text.encode(), capture_output=True, timeout=limit)
    except subprocess.TimeoutExpired:  # run() has killed it
        raise UsageError(
            f"Graphviz's dot took longer than {limit:g} s to lay out the graph and was stopped; "
            f"to wait longer, set {TIMEOUT_VARIABLE}=SECONDS, or use --format dot"
        ) from None
    except OSError as e:  # not found since which(), not executable, not a program, no file descriptors left
        raise UsageError(f"cannot run Graphviz's dot ({program}): {_os_reason(e)}") from None
    if done.returncode < 0:
        name = _signal_name(-done.returncode)
        killed = " (SIGKILL: perhaps the system ran out of memory)" if -done.returncode == signal.SIGKILL else ""
        raise UsageError(f"Graphviz's dot crashed: it was ended by signal {name}{killed}{_said(done.stderr)}")
    if done.returncode != 0:
        said = _said(done.stderr) or " and said nothing"
        raise UsageError(f"Graphviz's dot failed (exit status {done.returncode}){said}")
    return done.stdout


#: the environment variable that sets how long dot may take, in seconds
TIMEOUT_VARIABLE = "CGCLI_DOT_TIMEOUT"

#: how long dot may take by default: what cgcli agrees to draw takes it a few seconds (docs/limits.md)
DEFAULT_TIMEOUT = 60.0


def dot_timeout() -> float:
    """CGCLI_DOT_TIMEOUT's seconds (a positive finite number), or `DEFAULT_TIMEOUT`."""
    text = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise UsageError(f"{TIMEOUT_VARIABLE} must be a number of seconds, such as 300, not {text!r}")
    return seconds


def _os_reason(e: OSError) -> str:
    reason = e.strerror or str(e)
    if e.errno in (errno.EMFILE, errno.ENFILE):
        return f"{reason} (raise the limit, as in ulimit -n 1024)"
    if e.errno == errno.ENOEXEC:
        return f"{reason} (it is not a program this machine can run: reinstall Graphviz)"
    if e.errno in (errno.EACCES, errno.EPERM):
        return f"{reason} (it is not executable)"
    return reason


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def _said(stderr: bytes) -> str:
    """What dot wrote on stderr, as ': …' (its last lines, shortened), or '' if nothing."""
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    if not lines:
        return ""
    text = "; ".join(lines[-3:])
    return ": " + (text if len(text) <= 300 else text[:300] + "…")
