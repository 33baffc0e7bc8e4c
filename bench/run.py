"""cgcli's benchmark suite: ``python bench/run.py [--quick] [--only NAME] [--skip-startup] [--skip-batch]``.

Prints Markdown tables, every ratio measured in the same run:

1. per workload: cgcli's parse, forward and backward times, µs per node and
   peak memory, beside Lark's own LALR parse (the parser's floor), generated
   straight-line Python (the engine's floor), micrograd and torch;
2. growth: forward+backward on graphs built directly, 10^4 to 10^6 nodes,
   deep and wide, and the log-log slope;
3. start-up: each command as a whole process against ``python -c pass``;
4. batch: ``grad --points`` on a 1,000,000-line CSV, and the array API against
   hand-written NumPy.

Ratios are cgcli ÷ reference: below 1 means cgcli is faster.  Timings are the
best of a few runs (one run for the largest inputs); no timing is asserted in
the tests.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import references as ref  # noqa: E402
import timing  # noqa: E402
import workloads  # noqa: E402

from cgcli.core.engine import backward, forward  # noqa: E402
from cgcli.core.graph import Graph  # noqa: E402
from cgcli.core.ops import OPS  # noqa: E402
from cgcli.language.parser import parse  # noqa: E402


def peak(f: Callable[[], Any]) -> int:
    """Peak bytes allocated by ``f`` (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        f()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def attempt(f: Callable[[], Any]) -> tuple[Any, str]:
    """(result, "") or (None, the failure's name)."""
    try:
        return f(), ""
    except RecursionError:
        return None, "RecursionError"
    except NotImplementedError as e:
        return None, f"n/a ({e})"
    except Exception as e:  # noqa: BLE001 - a reference's failure is a result
        return None, f"{type(e).__name__}: {str(e)[:60]}"


def fmt(x: float | None, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.{digits}g}"


# -- 1. workloads ----------------------------------------------------------------


def measure(load: workloads.Workload, repeat: int) -> dict[str, Any]:
    text, point = load.text, load.point
    row: dict[str, Any] = {"name": load.name, "failures": []}
    lark = ref.lark_parser()
    graph = parse(text)
    row["nodes"] = n = len(graph)
    row["tokens"] = sum(1 for _ in lark.lex(text))
    row["parse"] = timing.best(lambda: parse(text), repeat)
    row["lark"] = timing.best(lambda: lark.parse(text), repeat)

    def one_shot() -> tuple[float, float]:
        # NOTE: collect before the parse: a collection walks the whole heap, and right before
        # the timing it leaves the CPU's caches cold (50 µs more for a 15-node graph)
        gc.collect()
        fresh = parse(text)  # a new graph, as a one-shot run has
        collecting = gc.isenabled()
        gc.disable()  # as evaluate() does
        try:
            start = time.perf_counter()
            _, local = forward(fresh, point)
            middle = time.perf_counter()
            backward(fresh, local)
            return middle - start, time.perf_counter() - middle
        finally:
            if collecting:
                gc.enable()

    runs = [one_shot() for _ in range(repeat)]
    row["forward"] = min(r[0] for r in runs)
    row["backward"] = min(r[1] for r in runs)
    row["fb"] = min(r[0] + r[1] for r in runs)
    row["us_node"] = row["fb"] / n * 1e6
    row["mem"] = peak(lambda: _evaluate_text(text, point))
    row["lark_mem"] = peak(lambda: lark.parse(text))

    compiled, failure = attempt(lambda: ref.floor(graph, point))
    if compiled:
        row["floor_compile"], call = compiled
        row["floor"] = timing.best(call, repeat)
    else:
        row["failures"].append(f"floor: {failure}")
    for name, available, run in (
        ("micrograd", ref.micrograd_available, ref.micrograd_run),
        ("torch", ref.torch_available, ref.torch_run),
    ):
        if not available():
            row["failures"].append(f"{name}: not installed")
            continue
        results = []
        for _ in range(repeat):
            result, failure = attempt(lambda run=run: run(graph, point))
            if result is None:
                row["failures"].append(f"{name}: {failure}")
                break
            results.append(sum(result))
        if results:
            row[name] = min(results)
    return row


def _evaluate_text(text: str, point: dict[str, float]) -> None:
    from cgcli.core.engine import evaluate

    evaluate(parse(text), point)


def workload_table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| workload | nodes | parse ms | µs/token | ÷ Lark parse | forward ms | backward ms | f+b µs/node "
        "| ÷ floor | ÷ micrograd | ÷ torch | peak MiB | ÷ Lark peak |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        fb = r["fb"]
        lines.append(
            f"| {r['name']} | {r['nodes']:,} | {fmt(r['parse'] * 1e3)} | {fmt(r['parse'] / r['tokens'] * 1e6)} "
            f"| {fmt(r['parse'] / r['lark'], 2)} | {fmt(r['forward'] * 1e3)} | {fmt(r['backward'] * 1e3)} "
            f"| {fmt(r['us_node'])} | {fmt(fb / r['floor'] if 'floor' in r else None, 2)} "
            f"| {fmt(fb / r['micrograd'] if 'micrograd' in r else None, 2)} "
            f"| {fmt(fb / r['torch'] if 'torch' in r else None, 2)} "
            f"| {fmt(r['mem'] / 2**20)} | {fmt(r['mem'] / r['lark_mem'], 2)} |"
        )
    notes = [f"- {r['name']}: " + "; ".join(r["failures"]) for r in rows if r["failures"]]
    return "\n".join(lines) + ("\n\nReferences that failed or were skipped:\n" + "\n".join(notes) if notes else "")


# -- 2. growth -------------------------------------------------------------------


def chain_graph(n: int) -> Graph:
    """sin(cos(…x…)): n deep, built through the Graph API (the parser is measured above)."""
    g = Graph()
    i = g.variable("x")
    for k in range(n):
        i = g.apply(OPS["sin" if k % 2 else "cos"], i)
    return g


def wide_graph(n: int) -> Graph:
    """sigmoid(Σ w_k·x_k): 4 nodes a term."""
    g = Graph()
    total = None
    for k in range(n // 4):
        term = g.apply(OPS["mul"], g.variable(f"w{k}"), g.variable(f"x{k}"))
        total = term if total is None else g.apply(OPS["add"], total, term)
    assert total is not None
    g.apply(OPS["sigmoid"], total)
    return g


def growth(sizes: list[int]) -> str:
    lines = ["| graph | " + " | ".join(f"{n:,} nodes µs/node" for n in sizes) + " | log-log slope |"]
    lines.append("|---|" + "---|" * (len(sizes) + 1))
    for name, build in (("chain (deep)", chain_graph), ("wide", wide_graph)):
        times = []
        for n in sizes:
            g = build(n)
            point = {v: 0.5 for v in g.variables}
            best_time = math.inf
            for _ in range(3 if n <= 100_000 else 1):  # best of 3, as a single run can be an outlier
                gc.collect()
                gc.disable()
                start = time.perf_counter()
                _, local = forward(g, point)
                backward(g, local)
                best_time = min(best_time, time.perf_counter() - start)
                gc.enable()
                del local
            times.append((len(g), best_time))
            del g
        (n0, t0), (n1, t1) = times[0], times[-1]
        slope = math.log(t1 / t0) / math.log(n1 / n0)
        cells = " | ".join(fmt(t / n * 1e6) for n, t in times)
        lines.append(f"| {name} | {cells} | {slope:.2f} |")
    return "\n".join(lines)


# -- 3. start-up -------------------------------------------------------------------


def startup(repeat: int) -> str:
    exe = Path(sys.executable)
    script = exe.parent / "cgcli"
    cgcli = [str(script)] if script.exists() else [sys.executable, "-m", "cgcli"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # users have .pyc files
    add_mul = ["(x+y)*z", "--x=-2", "--y=5", "--z=-4"]
    commands = [
        ("python -c pass", [sys.executable, "-c", "pass"], None),
        ("cgcli --version", [*cgcli, "--version"], None),
        ("cgcli grad … --json", [*cgcli, "grad", *add_mul, "--json"], None),
        ("cgcli grad … (Rich table)", [*cgcli, "grad", *add_mul], None),
        ("cgcli grad … --points - (1 line)", [*cgcli, "grad", "(x+y)*z", "--points", "-"], b'{"x":-2,"y":5,"z":-4}\n'),
        ("python -c 'import lark'", [sys.executable, "-c", "import lark"], None),
        ("python -c 'import click'", [sys.executable, "-c", "import click"], None),
    ]
    results = dict.fromkeys((name for name, _, _ in commands), math.inf)
    for _ in range(2):  # warm the file cache and write .pyc files
        for _name, argv, data in commands:
            subprocess.run(argv, input=data, capture_output=True, env=env, check=False)
    # rounds of every command in turn, so that a slow spell of the machine hits them all alike
    for _ in range(repeat):
        for name, argv, data in commands:
            start = time.perf_counter()
            subprocess.run(argv, input=data, capture_output=True, env=env, check=False)
            results[name] = min(results[name], time.perf_counter() - start)
    base = results["python -c pass"]
    lines = [f"| command | ms (best of {repeat}) | ÷ python -c pass |", "|---|---|---|"]
    lines += [f"| `{name}` | {t * 1e3:.1f} | {t / base:.2f} |" for name, t in results.items()]
    return "\n".join(lines)


# -- 4. batch ----------------------------------------------------------------------

NEURON = "1/(1+exp(-(w0*x0+w1*x1+w2)))"


def neuron_by_hand(w0: Any, x0: Any, w1: Any, x1: Any, w2: Any) -> tuple[Any, ...]:
    """NEURON's value and gradient (w0, x0, w1, x1, w2) over NumPy columns, written by hand."""
    import numpy as np

    f = 1.0 / (1.0 + np.exp(-(w0 * x0 + w1 * x1 + w2)))
    d = f * (1.0 - f)
    return f, d * x0, d * w0, d * x1, d * w1, d


def text_floor(path: Path, names: list[str]) -> tuple[float, float, float]:
    """The same CSV job written by hand: NumPy's C reader, NumPy, orjson; (total, read, write) seconds.

    They are the fastest exact text conversions at hand, so this is the floor
    for ``--points`` (the arithmetic is a small part of it).
    """
    import numpy as np
    import orjson

    start = time.perf_counter()
    with path.open() as f:
        f.readline()
        w0, x0, w1, x1, w2 = np.loadtxt(f, delimiter=",", ndmin=2).T
    read = time.perf_counter()
    matrix = np.column_stack(neuron_by_hand(w0, x0, w1, x1, w2))
    computed = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        sink.write(("value," + ",".join(f"d_{n}" for n in names) + "\n").encode())
        sink.write(orjson.dumps(matrix, option=orjson.OPT_SERIALIZE_NUMPY)[2:-2].replace(b"],[", b"\n"))
    end = time.perf_counter()
    return end - start, read - start, end - computed


def batch(lines: int) -> str:
    import numpy as np

    from cgcli.evaluators.batch import evaluate_arrays

    rng = np.random.default_rng(0)
    names = ["w0", "x0", "w1", "x1", "w2"]
    cols = {k: rng.standard_normal(lines).round(6) for k in names}
    graph = parse(NEURON)
    api = timing.best(lambda: evaluate_arrays(graph, cols), 3)

    hand_time = timing.best(lambda: neuron_by_hand(*(cols[k] for k in names)), 3)
    out = [
        "| measurement | points/s | note |",
        "|---|---|---|",
        f"| `evaluate_arrays` (API), {lines:,} points | {lines / api / 1e6:.1f} M | "
        f"{hand_time / api:.2f}× hand-written NumPy ({lines / hand_time / 1e6:.1f} M/s) |",
    ]
    folder = Path(tempfile.mkdtemp(prefix="cgcli-bench-"))  # private (mode 0700), removed below
    try:
        path = folder / "neuron.csv"
        with path.open("w") as f:
            f.write(",".join(names) + "\n")
            matrix = np.column_stack([cols[k] for k in names]).tolist()
            f.writelines(",".join(map(repr, r)) + "\n" for r in matrix)
        exe = Path(sys.executable).parent / "cgcli"
        cgcli = [str(exe)] if exe.exists() else [sys.executable, "-m", "cgcli"]
        start = time.perf_counter()
        with open(os.devnull, "w") as sink:
            subprocess.run([*cgcli, "grad", NEURON, "--points", str(path)], stdout=sink, check=True)
        end_to_end = time.perf_counter() - start
        floor, read, write = text_floor(path, names)
        out.append(
            f"| `cgcli grad NEURON --points neuron.csv` ({lines:,} lines, {path.stat().st_size / 2**20:.0f} MiB) "
            f"| {lines / end_to_end / 1e6:.2f} M | {end_to_end:.2f} s end to end, whole process; "
            f"{floor / end_to_end:.2f}× the text floor |"
        )
        out.append(
            f"| text floor: np.loadtxt, hand-written NumPy, orjson, in one process | {lines / floor / 1e6:.2f} M "
            f"| {floor:.2f} s: reading {read:.2f} s, writing {write:.2f} s |"
        )
    finally:
        shutil.rmtree(folder)
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="stop at 10,000 nodes; growth to 10^5")
    parser.add_argument("--only", help="run only workloads whose name contains this")
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--skip-growth", action="store_true")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]} on {os.cpu_count()} CPUs; ratios are cgcli ÷ reference\n")
    loads = [w for w in workloads.all_workloads(args.quick) if not args.only or args.only in w.name]
    rows = []
    for load in loads:
        repeat = 3 if len(load.text) < 100_000 else 1
        rows.append(measure(load, repeat))
        print(f"  measured {load.name}", file=sys.stderr, flush=True)
    print("### Workloads\n")
    print(workload_table(rows) + "\n")
    if not args.skip_growth:
        print("### Growth (forward + backward, graphs built through the API)\n")
        print(growth([10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]) + "\n")
    if not args.skip_startup:
        print("### Start-up (whole process)\n")
        print(startup(5 if args.quick else 20) + "\n")
    if not args.skip_batch:
        print("### Batch (`grad --points`)\n")
        print(batch(100_000 if args.quick else 1_000_000) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
