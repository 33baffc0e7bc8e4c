"""How rel_error of `cgcli check` depends on the step h, and what a check costs.

    python bench/check_step.py

Prints, for the sigmoid neuron, the worst rel_error over its five variables
for central differences at h = 1e-1 … 1e-12 (the curve that explains the
default step 1e-5) and for the complex step; then the time to check
expressions of about 1,000 nodes.  References are measured in the same run.
"""

from __future__ import annotations

import random
import time

import cgcli
from cgcli.modes.check import check

NEURON = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
POINT = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}


def worst(text: str, point: dict[str, float], **kw: object) -> float:
    report = check(cgcli.parse(text), point, **kw)  # type: ignore[arg-type]
    return max(v.rel_error for p in report.points for v in p.variables.values())


def step_curve() -> None:
    print("| h | central rel_error (worst of 5) | complex step |")
    print("| --- | --- | --- |")
    for k in range(1, 13):
        h = 10.0**-k
        print(f"| 1e-{k:02d} | {worst(NEURON, POINT, step=h):.1e} | {worst(NEURON, POINT, method='complex'):.1e} |")


def big_expression(n_terms: int, seed: int = 0) -> tuple[str, dict[str, float]]:
    """A weighted sum through a sigmoid with n_terms products: about 4·n_terms nodes."""
    rng = random.Random(seed)
    terms = " + ".join(f"w{i}*x{i}" for i in range(n_terms))
    point = {f"{c}{i}": rng.uniform(-1, 1) for i in range(n_terms) for c in "wx"}
    return f"sigmoid({terms})", point


def timing() -> None:
    print()
    print("| expression | nodes | variables | grad (s) | check central (s) | check complex (s) | check / grad |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for n_terms in (25, 250):
        text, point = big_expression(n_terms)
        graph = cgcli.parse(text)
        t0 = time.perf_counter()
        cgcli.evaluate(graph, point)
        t1 = time.perf_counter()
        central = check(graph, point)
        t2 = time.perf_counter()
        check(graph, point, method="complex")
        t3 = time.perf_counter()
        assert central.ok
        print(
            f"| sigmoid of {n_terms} products | {len(graph)} | {len(graph.variables)} | {t1 - t0:.4f} "
            f"| {t2 - t1:.3f} | {t3 - t2:.3f} | {(t2 - t1) / (t1 - t0):.0f}× |"
        )
    # one variable, a 1,000-node chain: the cost per variable
    text = "x" + "*1.0001 + 0.001*x" * 333
    graph = cgcli.parse(text)
    t0 = time.perf_counter()
    cgcli.evaluate(graph, {"x": 0.5})
    t1 = time.perf_counter()
    check(graph, {"x": 0.5})
    t2 = time.perf_counter()
    ratio = (t2 - t1) / (t1 - t0)
    print(f"| affine chain, one variable | {len(graph)} | 1 | {t1 - t0:.4f} | {t2 - t1:.3f} | | {ratio:.0f}× |")


if __name__ == "__main__":
    step_curve()
    timing()
