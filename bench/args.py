"""What handling many variables on the command line costs, and --at FILE.

    python bench/args.py

For n = 10,000 … 100,000 variables, times sorting the arguments and
click's parsing of them (`cgcli grad`'s context, no evaluation), reading
the same values with ``--at FILE``, and, as the reference measured in the
same run, `parse_variables` alone (the linear work every route must do).
A linear route keeps its ratio to the reference flat as n grows; a
quadratic one (click popping each argument from the front of a list)
multiplies it by ten when n does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import click

from cgcli.cli import cli
from cgcli.cli.args import parse_variables


def seconds(work: object) -> float:
    start = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    grad = cli.commands["grad"]
    print(
        "| variables | args: sort + click (s) | --at FILE (s) | old route: each as --var through click (s) "
        "| reference: parse_variables (s) | args / ref | --at / ref | old / ref |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for n in (10_000, 30_000, 100_000):
        names = [f"x{i}" for i in range(n)]
        assignments = [f"{name}={i % 7 - 3}" for i, name in enumerate(names)]
        expression = "+".join(names)
        args = seconds(lambda a=[expression, *assignments]: grad.make_context("grad", a))
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({name: i % 7 - 3 for i, name in enumerate(names)}, f)
        try:
            ctx_args = [expression, "--at", f.name]
            at = seconds(lambda c=ctx_args: _at(grad, c))
        finally:
            os.unlink(f.name)
        old_args = [arg for a in assignments for arg in ("--var", a)] + ["--", expression]
        old = seconds(lambda a=old_args: click.Command.parse_args(grad, click.Context(grad), a))
        reference = seconds(lambda a=assignments: parse_variables(a))
        print(
            f"| {n:,} | {args:.3f} | {at:.3f} | {old:.3f} | {reference:.3f} "
            f"| {args / reference:.1f}× | {at / reference:.1f}× | {old / reference:.1f}× |"
        )
    end_to_end(100_000)


def end_to_end(n: int) -> None:
    """The whole command, ``cgcli grad`` on a sum of n variables, as a process: values as arguments or --at."""
    names = [f"x{i}" for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        expression = os.path.join(tmp, "sum.txt")
        values = os.path.join(tmp, "at.json")
        with open(expression, "w") as f:
            f.write("+".join(names))
        with open(values, "w") as f:
            json.dump({name: 1 for name in names}, f)
        base = [sys.executable, "-m", "cgcli", "grad", f"@{expression}", "--json"]
        routes = {"arguments": [*base, *(f"{name}=1" for name in names)], "--at FILE": [*base, "--at", values]}
        print()
        print(f"| cgcli grad, sum of {n:,} variables, values as | seconds |")
        print("| --- | --- |")
        for route, argv in routes.items():
            start = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, timeout=600)
            print(f"| {route} | {time.perf_counter() - start:.2f} |")


def _at(grad: object, args: list[str]) -> None:
    """Parse the arguments and read --at's file, as `load` does (nothing is evaluated)."""
    from cgcli.cli.args import read_values

    ctx = grad.make_context("grad", args)  # type: ignore[attr-defined]
    read_values(ctx.meta["cgcli.at"], ctx.params["assignments"])


if __name__ == "__main__":
    main()
