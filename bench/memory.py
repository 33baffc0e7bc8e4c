"""Peak memory per node, each command as a process: ``python bench/memory.py [--max N] [--only S] [--command C]``.

For chains (``-(-(…-x))``, every node on one path) and sums (``x0*y + x1*y + …``, wide and
forked), 10^4 to 10^6 nodes, it runs each command in a child process and reads the child's
peak resident memory (``ru_maxrss`` from os.wait4).  Per node is (peak − the same command's
peak on a one-node expression) ÷ nodes: the interpreter and the imported libraries are the
baseline, not the expression.  The target (issue 14): under 0.5 KB a node of a chain, so
that the 2,000,000-character limit (about 2,000,000 nodes) stays within 1 GB, safe on a
4 GB machine.

Prints a Markdown table.  Nothing is asserted.  NOTE: ``graph tree`` and ``graph dot`` cost some
3 and 2 KB a node (Rich's tree, and the DOT text copied on its way out): ``--max 100000`` unless
the machine has the memory.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

COMMANDS = {
    "grad": ["grad", "@FILE", "x=1", "y=2"],
    "grad --json": ["grad", "@FILE", "x=1", "y=2", "--json"],
    "check": ["check", "@FILE", "x=1", "y=2"],
    "graph tree": ["graph", "@FILE", "x=1", "y=2"],
    "graph dot": ["graph", "@FILE", "x=1", "y=2", "--format", "dot"],
}


def chain(n: int) -> str:
    """n nodes: n - 1 unary minus signs over x (+ y, so that both commands take the same VARS)."""
    return "-" * (n - 3) + "x+y"


def sum_of_products(n: int) -> str:
    """About n nodes: terms x*y, each a mul and an add over the two forked variables."""
    return "+".join(["x*y"] * max(n // 2, 1))


SHAPES = {"chain": chain, "sum": sum_of_products}


def peak_kb(args: list[str]) -> int:
    """The child's peak resident memory in KB (Linux reports ru_maxrss in KB)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cgcli", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"cgcli {' '.join(args)} failed: {err.decode()[-300:]}")
    return usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=1_000_000, help="the largest graph, in nodes")
    parser.add_argument("--only", choices=sorted(SHAPES), help="one shape")
    parser.add_argument("--command", action="append", choices=sorted(COMMANDS), help="these commands only")
    options = parser.parse_args()
    sizes = [n for n in (10_000, 100_000, 1_000_000) if n <= options.max]
    print("| shape | nodes | command | peak MB | bytes a node |")
    print("| --- | ---: | --- | ---: | ---: |")
    with tempfile.TemporaryDirectory() as folder:
        one = Path(folder) / "one.txt"
        one.write_text("x+y")
        commands = {name: args for name, args in COMMANDS.items() if name in (options.command or COMMANDS)}
        baseline = {name: peak_kb([a.replace("FILE", str(one)) for a in args]) for name, args in commands.items()}
        for shape, make in SHAPES.items():
            if options.only and shape != options.only:
                continue
            for n in sizes:
                path = Path(folder) / f"{shape}-{n}.txt"
                path.write_text(make(n))
                for name, args in commands.items():
                    kb = peak_kb([a.replace("FILE", str(path)) for a in args])
                    per_node = (kb - baseline[name]) * 1024 / n
                    print(f"| {shape} | {n:,} | {name} | {kb / 1024:,.0f} | {per_node:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
