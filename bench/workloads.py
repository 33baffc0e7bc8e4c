"""The benchmark's workloads: expression texts and points, generated deterministically.

Every generator builds its text with loops (never recursion), so that the
100,000-deep chains are as cheap to make as the wide sums.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Workload:
    """One expression and the point to evaluate it at."""

    name: str
    text: str
    point: dict[str, float]


LECTURE = [
    Workload("lecture add-mul", "(x+y)*z", {"x": -2.0, "y": 5.0, "z": -4.0}),
    Workload(
        "lecture neuron",
        "1/(1+exp(-(w0*x0+w1*x1+w2)))",
        {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0},
    ),
]


def wide(n: int) -> Workload:
    """A neuron with ``n`` inputs: sigmoid(w0*x0 + … + w{n-1}*x{n-1} + b)."""
    rng = random.Random(n)
    terms = " + ".join(f"w{k}*x{k}" for k in range(n))
    point = {}
    for k in range(n):
        point[f"w{k}"] = rng.uniform(-1, 1) / n**0.5
        point[f"x{k}"] = rng.uniform(-1, 1)
    point["b"] = 0.1
    return Workload(f"wide n={n}", f"sigmoid({terms} + b)", point)


def sincos(depth: int) -> Workload:
    """sin(cos(sin(…x…))): ``depth`` nested calls."""
    calls = ["sin(" if k % 2 else "cos(" for k in range(depth)]
    return Workload(f"sincos d={depth}", "".join(calls) + "x" + ")" * depth, {"x": 0.5})


def affine(depth: int) -> Workload:
    """0.5*(0.5*(…x…)+1)+1: ``depth`` nested affine maps (2 ops and a bracket each)."""
    return Workload(f"affine d={depth}", "(0.5*" * depth + "x" + "+1)" * depth, {"x": 0.5})


_BINARY = ["+", "-", "*"]
_UNARY = ["sin", "cos", "tanh", "sigmoid", "relu", "abs"]


def mixed(nodes: int, seed: int = 0) -> Workload:
    """A random expression of about ``nodes`` ops over 10 variables, all defined everywhere.

    Sub-expressions are combined from a pool, so depth and width both grow
    (depth about a few hundred at 100,000 nodes).
    """
    rng = random.Random(seed)
    names = [f"x{k}" for k in range(10)]
    pool: list[deque[str]] = [deque([rng.choice(names)]) for _ in range(8)]
    made = 0
    while made < nodes or len(pool) > 1:
        if made >= nodes or (len(pool) > 1 and rng.random() < 0.6):
            # combine two pool entries with a binary operator
            a = pool.pop(rng.randrange(len(pool)))
            b = pool.pop(rng.randrange(len(pool)))
            op = rng.choice(_BINARY)
            # the longer part grows in place, so text is copied O(n log n) times, not O(n²)
            if len(a) >= len(b):
                a.appendleft("(")
                a.extend([")", op, "("])
                a.extend(b)
                a.append(")")
            else:
                b.extendleft(reversed(["(", *a, ")", op, "("]))
                b.append(")")
                a = b
            pool.append(a)
        else:
            a = pool.pop(rng.randrange(len(pool)))
            if rng.random() < 0.3:
                pool.append(deque([rng.choice(names)]))
            a.insert(0, rng.choice(_UNARY) + "(")
            a.append(")")
            pool.append(a)
        made += 1
    point = {name: round(rng.uniform(-1, 1), 6) for name in names}
    text = "".join(pool[0])
    used = {name: v for name, v in point.items() if name in _names_in(text)}
    return Workload(f"mixed n={nodes}", text, used)


def _names_in(text: str) -> set[str]:
    import re

    return set(re.findall(r"\bx\d\b", text))


def all_workloads(quick: bool = False) -> list[Workload]:
    """Every workload, smallest first within each family; ``quick`` stops at 10,000."""
    top = 10_000 if quick else 100_000
    sizes = [s for s in (100, 1_000, 10_000, 100_000) if s <= top]
    loads = list(LECTURE)
    loads += [wide(n) for n in (10, 100, 1_000, 10_000)]
    loads += [sincos(d) for d in sizes]
    loads += [affine(d) for d in sizes]
    loads += [mixed(n) for n in sizes]
    return loads
