"""SVG and PNG pictures, drawn by Graphviz's ``dot`` program from `graph_dot`'s text."""

from __future__ import annotations

import shutil
import subprocess

from ..errors import UsageError


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
