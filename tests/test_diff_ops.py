"""Every op row, differentiated symbolically: the printed derivative, evaluated by grad's
evaluator, equals grad's gradient, at random points, kinks and ties included."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cgcli
from cgcli.core.ops import OPS
from cgcli.evaluators.symbolic import reachable
from cgcli.modes.diff import differentiate
from cgcli.present.diff_text import diff_text

from .diffkit import close, forbidden, magnitude, run_lines

POSITIVE, UNIT, ANY = (0.1, 2.0), (-0.9, 0.9), (-2.0, 2.0)

# fmt: off
#: key -> expressions that use the row (inside a chain rule too), and where to draw points
CASES = {
    "add":     (["x + y", "(x*y) + (x + 1)"], ANY),
    "sub":     (["x - y", "x*y - (y - x)"], ANY),
    "mul":     (["x * y", "x * x * y", "(x + y) * (x - y)"], ANY),
    "div":     (["x / y", "1 / x", "(x*y) / (x + 3)"], POSITIVE),
    "neg":     (["-x", "-(x*y)"], ANY),
    "pow":     (["x ^ 3", "x ^ 0.5", "x ^ -2", "(x*y) ^ 2", "x ^ 0", "(x + y) ^ -1.5"], POSITIVE),
    "pow_var": (["x ^ y", "2 ^ x", "x ^ (x*y)", "(x + 1) ^ sin(y)"], POSITIVE),
    "exp":     (["exp(x)", "exp(x*y - x)"], ANY),
    "log":     (["log(x)", "log(x*y + x)"], POSITIVE),
    "ln":      (["ln(x)", "ln(x*y + x)"], POSITIVE),
    "log2":    (["log2(x)", "log2(x*y + x)"], POSITIVE),
    "log10":   (["log10(x)", "log10(x*y + x)"], POSITIVE),
    "sqrt":    (["sqrt(x)", "sqrt(x*y + x)"], POSITIVE),
    "sin":     (["sin(x)", "sin(x*y + x)"], ANY),
    "cos":     (["cos(x)", "cos(x*y + x)"], ANY),
    "tan":     (["tan(x)", "tan(x*y/2)"], UNIT),
    "tanh":    (["tanh(x)", "tanh(x*y + x)"], ANY),
    "sinh":    (["sinh(x)", "sinh(x*y + x)"], ANY),
    "cosh":    (["cosh(x)", "cosh(x*y + x)"], ANY),
    "asin":    (["asin(x)", "asin(x*y)"], UNIT),
    "acos":    (["acos(x)", "acos(x*y)"], UNIT),
    "atan":    (["atan(x)", "atan(x*y + x)"], ANY),
    "sigmoid": (["sigmoid(x)", "sigmoid(x*y + x)"], ANY),
    "softplus": (["softplus(x)", "softplus(x*y + x)"], ANY),
    "relu":    (["relu(x)", "relu(x*y + x)", "relu(x - y)"], ANY),
    "abs":     (["abs(x)", "abs(x*y + x)", "abs(x - y)"], ANY),
    "sign":    (["sign(x) * x", "sign(x - y) * y"], ANY),
    "step":    (["step(x) * x", "step(x - y) * y"], ANY),
    "max":     (["max(x)", "max(x, y)", "max(x, x)", "max(x, y, x*y)", "max(x, -x)", "max(x, y, 1) * x"], ANY),
    "min":     (["min(x)", "min(x, y)", "min(x, x)", "min(x, y, x*y)", "min(x, -x)", "min(x, y, 1) * x"], ANY),
}
# fmt: on

#: points where a kink or a tie sits: relu/abs/sign/step at 0, max/min with equal arguments
KINKS = [{"x": 0.0, "y": 0.0}, {"x": 1.0, "y": 1.0}, {"x": -1.0, "y": -1.0}, {"x": 0.0, "y": 2.0}, {"x": 1.0, "y": 0.5}]


def test_every_row_has_a_case() -> None:
    assert set(CASES) >= set(OPS)


def _points(lo_hi: tuple[float, float], seed: str) -> list[dict[str, float]]:
    rng = random.Random(seed)
    points = [{"x": rng.uniform(*lo_hi), "y": rng.uniform(*lo_hi)} for _ in range(8)]
    lo, hi = lo_hi
    return points + [p for p in KINKS if all(lo <= v <= hi for v in p.values())]


ROWS = [(key, text) for key, (texts, _) in CASES.items() if key in OPS for text in texts]


@pytest.mark.parametrize("key, expression", ROWS, ids=[f"{k}:{t}" for k, t in ROWS])
def test_printed_derivative_equals_grad(key: str, expression: str) -> None:
    graph = cgcli.parse(expression)
    text = diff_text(differentiate(graph))
    assert forbidden(text) == [], text
    for point in _points(CASES[key][1], expression):
        point = {k: v for k, v in point.items() if k in graph.variables}
        expected = cgcli.evaluate(graph, point).gradient
        got = run_lines(text, point)
        for v, g in expected.items():
            assert close(got[f"∂f/∂{v}"], g), (text, point, v, got[f"∂f/∂{v}"], g)


# -- random expressions -------------------------------------------------------

_UNARY = ["sin", "cos", "tanh", "sigmoid", "relu", "abs", "exp", "atan", "softplus"]
_SAFE = ["log(({}) ^ 2 + 1)", "sqrt(({}) ^ 2 + 1)", "({}) ^ 2", "({}) ^ 3", "-({})"]
_BINARY = ["({}) + ({})", "({}) - ({})", "({}) * ({})", "({}) / (({}) ^ 2 + 1)", "max({}, {})", "min({}, {})"]


def _expressions() -> st.SearchStrategy[str]:
    leaves = st.sampled_from(["x", "y", "z", "x", "2", "0.5", "1", "0"])
    unary = [op + "({})" for op in _UNARY if op in OPS] + _SAFE

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(st.sampled_from(unary), inner).map(lambda t: t[0].format(t[1])),
            st.tuples(st.sampled_from(_BINARY), inner, inner).map(lambda t: t[0].format(t[1], t[2])),
        )

    return st.recursive(leaves, extend, max_leaves=14)


_VALUE = st.one_of(st.sampled_from([-1.0, 0.0, 0.5, 1.0, 2.0]), st.floats(-2, 2))


@settings(max_examples=300, deadline=None)
@given(_expressions(), st.fixed_dictionaries({"x": _VALUE, "y": _VALUE, "z": _VALUE}))
def test_random_expressions(expression: str, at: dict[str, float]) -> None:
    graph = cgcli.parse(expression)
    point = {k: v for k, v in at.items() if k in graph.variables}
    d = differentiate(graph)
    text = diff_text(d)
    # the output: none of the forbidden patterns, and no op left with only constants to fold
    assert forbidden(text) == [], text
    used = reachable(d.graph, [x.node for x in d.all()])
    for i, op in enumerate(d.graph.ops):
        if op is not None and used[i]:
            assert not all(j in d.graph.constants for j in d.graph.inputs[i]), (text, d.graph.text(i))
    # size: every derivative together, shared statements included, within 4x f's nodes plus a constant
    assert d.size() <= 4 * len(graph) + 10, (d.size(), len(graph), text)
    # values: grad's own numbers, to 1e-12 of the size of the terms grad sums
    result = cgcli.evaluate(graph, point)
    if not all(map(_finite, result.gradient.values())):
        return
    scale = magnitude(graph, point)
    got = run_lines(text, point)
    for v, g in result.gradient.items():
        assert close(got[f"∂f/∂{v}"], g, scale=scale[v]), (text, point, v, got[f"∂f/∂{v}"], g)


def _finite(v: float) -> bool:
    return v - v == 0
