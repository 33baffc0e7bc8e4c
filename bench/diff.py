"""``cgcli diff`` against SymPy's ``diff`` (+ ``cse``), measured in the same run:
``python bench/diff.py [--quick]``.

For each workload, all first derivatives (every variable):

- cgcli: parse + symbolic reverse mode + the text output; its size is the
  ops of the derivative graph the output prints (shared statements included),
  beside f's own ops;
- SymPy: the expression built node by node from the same graph (no text
  parsing: SymPy's parser recurses), ``diff`` by every variable, then
  ``cse`` over all of them; its sizes are ``count_ops`` of the derivatives
  as trees (what ``print`` shows) and after ``cse``;
- ``grad --json`` on the same expression, the time diff is held to (≤ 2×).

Then ``--order 10`` of ``sin(x)*exp(x)``, and the whole-process times of
``cgcli diff`` and ``cgcli grad --json`` on the 100,000-node workloads.
SymPy is skipped above ``SYMPY_LIMIT`` nodes, where it takes minutes or
overflows the stack, and stopped after ``SYMPY_TIMEOUT`` seconds.  Times
are the best of a few runs; none is asserted in the tests.  Every time is
CPU time (``time.process_time``, and the children's user + system time for
whole processes): the machine this runs on is shared, and its wall clock
mostly measures the other jobs.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# bench/ goes last (Python put it first, as the script's folder): bench/json.py must not
# stand in for the standard library's json
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]
sys.path.insert(0, str(HERE.parent))

import workloads  # noqa: E402

# CPU time: on a shared machine, wall time mostly measures the others
from timing import best_cpu  # noqa: E402

from cgcli.core.engine import evaluate  # noqa: E402
from cgcli.core.graph import Graph  # noqa: E402
from cgcli.language.parser import parse  # noqa: E402
from cgcli.modes.diff import differentiate  # noqa: E402
from cgcli.present.diff_text import diff_text  # noqa: E402
from cgcli.present.json import grad_json_chunks  # noqa: E402

SYMPY_LIMIT = 2_000
SYMPY_TIMEOUT = 60


def ops(graph: Graph, roots: list[int]) -> int:
    """Op nodes the roots depend on (leaves not counted, as count_ops does not)."""
    seen = set()
    stack = list(roots)
    while stack:
        i = stack.pop()
        if i in seen:
            continue
        seen.add(i)
        stack.extend(graph.inputs[i])
    return sum(1 for i in seen if graph.ops[i] is not None)


def sympy_expression(graph: Graph) -> tuple[Any, dict[str, Any]]:
    """The graph as a SymPy expression, built in one loop over the nodes."""
    import sympy as sp

    symbols = {name: sp.Symbol(name) for name in graph.variables}
    funcs: dict[str, Callable[..., Any]] = {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b,
        "neg": lambda a: -a,
        "pow": sp.Pow,
        "pow_var": sp.Pow,
        "exp": sp.exp,
        "log": sp.log,
        "sqrt": sp.sqrt,
        "sin": sp.sin,
        "cos": sp.cos,
        "tan": sp.tan,
        "tanh": sp.tanh,
        "sigmoid": lambda a: 1 / (1 + sp.exp(-a)),
        "relu": lambda a: sp.Max(a, 0),
        "abs": sp.Abs,
        "max": sp.Max,
        "min": sp.Min,
    }
    made: list[Any] = []
    for i, op in enumerate(graph.ops):
        if op is None:
            c = graph.constants.get(i)
            made.append(sp.Float(c) if c is not None else symbols[graph.leaf_text[i]])
        else:
            made.append(funcs[op.key](*(made[j] for j in graph.inputs[i])))
    return made[-1], symbols


def measure(load: workloads.Workload, repeat: int) -> dict[str, Any]:
    graph = parse(load.text)
    row: dict[str, Any] = {"name": load.name, "f": ops(graph, [graph.output])}

    def cgcli_diff() -> Any:
        d = differentiate(parse(load.text))
        diff_text(d)
        return d

    def grad_json_once() -> None:  # what grad --json does, parse included as for diff
        for _ in grad_json_chunks(evaluate(parse(load.text), load.point)):
            pass

    d = cgcli_diff()
    row["cgcli ops"] = ops(d.graph, [x.node for x in d.all()])
    row["cgcli s"] = best_cpu(cgcli_diff, repeat)
    row["grad --json s"] = best_cpu(grad_json_once, repeat)
    if row["f"] <= SYMPY_LIMIT:
        row.update(sympy_row(load.text))
    return row


def _sympy_child(text: str, out: Any) -> None:
    import sympy as sp

    try:
        start = time.process_time()
        expr, symbols = sympy_expression(parse(text))
        derivatives = [sp.diff(expr, s) for s in symbols.values()]
        replacements, reduced = sp.cse(derivatives)
        seconds = time.process_time() - start
        tree = sum(sp.count_ops(e) for e in derivatives)
        cse = sum(sp.count_ops(e) for _, e in replacements) + sum(sp.count_ops(e) for e in reduced)
        out.put({"sympy s": seconds, "sympy tree ops": tree, "sympy cse ops": cse})
    except RecursionError:
        out.put({"sympy s": "RecursionError"})


def sympy_row(text: str) -> dict[str, Any]:
    """SymPy's diff + cse of ``text``, in a child process stopped after SYMPY_TIMEOUT seconds."""
    import multiprocessing

    queue: Any = multiprocessing.Queue()
    child = multiprocessing.Process(target=_sympy_child, args=(text, queue))
    child.start()
    child.join(SYMPY_TIMEOUT)
    if child.is_alive():
        child.terminate()
        child.join()
        return {"sympy s": f"> {SYMPY_TIMEOUT} s"}
    return queue.get() if not queue.empty() else {"sympy s": "failed"}


def order_ten() -> dict[str, Any]:
    graph = parse("sin(x)*exp(x)")
    seconds = best_cpu(lambda: diff_text(differentiate(graph, ["x"], order=10)), 3)
    d = differentiate(graph, ["x"], order=10)
    import sympy as sp

    x = sp.Symbol("x")
    start = time.process_time()
    tenth = sp.diff(sp.sin(x) * sp.exp(x), x, 10)
    sympy_seconds = time.process_time() - start
    return {
        "cgcli s": seconds,
        "cgcli ops": ops(d.graph, [d.derivatives["x"].node]),
        "text": diff_text(d),
        "sympy s": sympy_seconds,
        "sympy ops": sp.count_ops(tenth),
        "sympy": str(tenth),
    }


def processes(load: workloads.Workload) -> tuple[float, float]:
    """Whole-process CPU seconds (user + system) of ``cgcli diff`` and ``cgcli grad --json`` on ``load`` (best of 2)."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(load.text)
    point = [f"{k}={v}" for k, v in load.point.items()]

    def run(args: list[str]) -> float:
        times = []
        for _ in range(2):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([sys.executable, "-m", "cgcli", *args], check=True, stdout=subprocess.DEVNULL, timeout=600)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            times.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        return min(times)

    diff_s = run(["diff", "@" + f.name])
    grad_s = run(["grad", "@" + f.name, *point, "--json"])
    Path(f.name).unlink()
    return diff_s, grad_s


def cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v) if v is not None else "–"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="stop at 10,000 nodes")
    args = parser.parse_args()
    loads = workloads.all_workloads(quick=args.quick)
    columns = ["name", "f", "cgcli ops", "ratio", "cgcli s", "grad --json s", "diff/grad", "sympy s"]
    columns += ["sympy tree ops", "sympy cse ops"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for load in loads:
        row = measure(load, 1 if len(load.text) > 200_000 else 3)
        row["ratio"] = row["cgcli ops"] / max(row["f"], 1)
        row["diff/grad"] = row["cgcli s"] / row["grad --json s"]
        print("| " + " | ".join(cell(row.get(c)) for c in columns) + " |", flush=True)
    ten = order_ten()
    print()
    print(f"--order 10 of sin(x)*exp(x): cgcli {ten['cgcli s']:.3g} s, {ten['cgcli ops']} ops; ", end="")
    print(f"SymPy {ten['sympy s']:.3g} s, {ten['sympy ops']} ops ({ten['sympy']})")
    print(ten["text"])
    if not args.quick:
        print()
        print("| whole process, 100,000 nodes (CPU s) | cgcli diff | cgcli grad --json | ratio |")
        print("|---|---|---|---|")
        for load in loads:
            if load.name.endswith("=100000"):
                diff_s, grad_s = processes(load)
                print(f"| {load.name} | {diff_s:.3g} | {grad_s:.3g} | {diff_s / grad_s:.2f} |", flush=True)


if __name__ == "__main__":
    main()
