"""Helpers of the diff tests: run a printed derivative through grad's own evaluator."""

from __future__ import annotations

import math
import re

import cgcli
from cgcli.core.engine import forward
from cgcli.modes.diff import Derivatives, differentiate
from cgcli.present.diff_text import diff_text

#: what no output may contain (SPEC.md): + 0, * 1, ^ 1, 0 *, * 0, double negation
FORBIDDEN = {
    "+ 0": re.compile(r"[+-] 0(?![\d.e])"),
    "* 1": re.compile(r"[*/] 1(?![\d.e])"),
    "1 *": re.compile(r"(?<![\w.])1 \*"),
    "^ 1": re.compile(r"\^ ?1(?![\d.e])"),
    "0 *": re.compile(r"(?<![\w.])0 [*/]"),
    "* 0": re.compile(r"\* 0(?![\d.e])"),
    "--": re.compile(r"-\s*\(?\s*-"),
    "+ -": re.compile(r"[+*/] -"),
}


def forbidden(text: str) -> list[str]:
    """The forbidden patterns found in ``text``, by name."""
    return [name for name, pattern in FORBIDDEN.items() if pattern.search(text)]


def run_lines(text: str, point: dict[str, float]) -> dict[str, float]:
    """Evaluate diff's text output with cgcli's evaluator: statements in order, then each ∂ line.

    Each line's expression is parsed and evaluated on its own (statement
    names are fed to the later lines as values), so this needs no programs.
    """
    env = dict(point)
    values: dict[str, float] = {}
    for line in text.splitlines():
        name, expr = line.split(" = ", 1)
        graph = cgcli.parse(expr)
        v = cgcli.evaluate(graph, {k: env[k] for k in graph.variables}).output
        if name.startswith("∂"):
            values[name] = v
        else:
            env[name] = v
    return values


def magnitude(graph: cgcli.Graph, point: dict[str, float]) -> dict[str, float]:
    """The size of the terms grad's backward pass sums for each variable: its rounding scale.

    The backward pass with every local gradient and upstream taken in absolute
    value; a difference of two derivatives computed in different orders is
    rounding when it is small against this.
    """
    _, local = forward(graph, point)
    size = [0.0] * len(graph)
    size[graph.output] = 1.0
    for i in range(len(graph) - 1, -1, -1):
        for j, d in zip(graph.inputs[i], local[i], strict=True):
            size[j] += abs(size[i] * d)
    return {name: size[i] for name, i in graph.variables.items()}


def close(a: float, b: float, rel: float = 1e-12, scale: float = 0.0) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= rel * max(abs(a), abs(b), scale)


def first_derivatives(text: str) -> tuple[Derivatives, str]:
    d = differentiate(cgcli.parse(text))
    return d, diff_text(d)
