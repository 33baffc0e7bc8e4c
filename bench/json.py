"""``grad --json`` on large graphs: the document written node by node from a template, against the dict route.

    python bench/json.py

For the mixed workload at 10,000 and 100,000 nodes, times building the
document as dicts and encoding it (`dumps(grad_json(result))`, the route
before) and writing it from one template a node (`grad_json_chunks`, the
route ``grad --json`` takes), checks that both give the same bytes, and
prints the ratio; then the whole command as a process on 100,000 nodes.
Both routes run in the same process, with the garbage collector on, as
the command runs them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# NOTE: this file is named json.py: with its folder first on sys.path, `import json`
# would import it.  The folder goes last, after the standard library.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))
sys.path.append(str(HERE))

import workloads  # noqa: E402

import cgcli  # noqa: E402
from cgcli.present.json import dumps, grad_json, grad_json_chunks  # noqa: E402


def best(work: object, runs: int = 3) -> tuple[float, str]:
    times, out = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        out = work()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    print("| nodes | dicts + encoder (s) | template (s) | speed-up | same bytes |")
    print("| --- | --- | --- | --- | --- |")
    for nodes in (10_000, 100_000):
        load = workloads.mixed(nodes)
        result = cgcli.evaluate(cgcli.parse(load.text), load.point)
        result.graph.text(0)  # the texts are made once, before either route
        old, a = best(lambda r=result: dumps(grad_json(r)))
        new, b = best(lambda r=result: "".join(grad_json_chunks(r)))
        print(f"| {len(result.graph):,} | {old:.3f} | {new:.3f} | {old / new:.2f}× | {a == b} |")
    process(workloads.mixed(100_000))


def process(load: workloads.Workload) -> None:
    """The whole command as a user runs it: ``cgcli grad @FILE --at FILE --json``."""
    import json

    with tempfile.TemporaryDirectory() as tmp:
        text, at = os.path.join(tmp, "expr.txt"), os.path.join(tmp, "at.json")
        Path(text).write_text(load.text, encoding="utf-8")
        Path(at).write_text(json.dumps(load.point), encoding="utf-8")
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "cgcli", "grad", f"@{text}", "--at", at, "--json"],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=600,
        )
        print(f"\nwhole process, {load.name}: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
