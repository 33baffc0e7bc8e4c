"""``graph``'s text and pictures as bytes: DOT and Mermaid text, and SVG or PNG
drawn by Graphviz's ``dot`` program from `graph_dot`'s text."""

from __future__ import annotations

import shutil
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
    """Run ``dot -T<fmt>`` on ``dot_text`` (an argument list, never a shell)."""
    program = shutil.which("dot")
    if program is None:
        raise UsageError(
            f"--format {fmt} needs Graphviz's dot program: install the graphviz package "
            "(apt-get install graphviz, brew install graphviz), or use --format dot"
        )
    done = subprocess.run([program, f"-T{fmt}"], input=dot_text.encode(), capture_output=True, timeout=300)
    if done.returncode != 0:
        raise UsageError(f"dot failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout
