"""Every row of the op table against an independent high-precision reference.

The reference forward functions below are written with mpmath at 50 digits,
and the reference derivatives are mpmath's own numeric differentiation, so
neither shares code with cgcli/ops.py.  Adding an op to the table without a
reference here fails `test_every_op_has_a_reference`.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest

import cgcli
from cgcli.core.graph import Graph
from cgcli.core.ops import OPS
from cgcli.evaluators import complexstep
from cgcli.evaluators.batch import evaluate_arrays
from cgcli.present.steps import steps_text

mp.mp.dps = 50

# fmt: off
REFERENCE = {
    # key       mpmath forward                           points inside the domain, away from kinks
    "add":     (lambda a, b: a + b,                      [(1.5, -2.25), (0.0, 3.0)]),
    "sub":     (lambda a, b: a - b,                      [(1.5, -2.25), (-7.0, 3.0)]),
    "mul":     (lambda a, b: a * b,                      [(1.5, -2.25), (0.0, 4.0)]),
    "div":     (lambda a, b: a / b,                      [(1.5, -2.25), (-3.0, 0.125)]),
    "neg":     (lambda a: -a,                            [(1.5,), (-0.3,)]),
    "pow":     (lambda a, b: mp.power(a, b),             [(1.5, 2.0), (-2.0, 3.0), (0.7, -1.5), (2.0, 0.5)]),
    "pow_var": (lambda a, b: mp.power(a, b),             [(1.5, 2.5), (0.3, -0.7), (4.0, 0.0)]),
    "exp":     (mp.exp,                                  [(0.5,), (-20.0,), (30.0,)]),
    "log":     (mp.log,                                  [(0.5,), (1e-5,), (1e5,)]),
    "sqrt":    (mp.sqrt,                                 [(0.5,), (1e-6,), (2e6,)]),
    "sin":     (mp.sin,                                  [(0.5,), (-3.0,)]),
    "cos":     (mp.cos,                                  [(0.5,), (-3.0,)]),
    "tan":     (mp.tan,                                  [(0.5,), (1.5,), (-1.2,)]),
    "tanh":    (mp.tanh,                                 [(0.5,), (-3.0,), (15.0,), (-25.0,)]),
    "sigmoid": (lambda a: 1 / (1 + mp.exp(-a)),          [(0.5,), (-30.0,), (25.0,), (-700.0,)]),
    "ln":      (mp.log,                                  [(0.5,), (1e5,)]),
    "log2":    (lambda a: mp.log(a, 2),                  [(0.5,), (8.0,), (1e-5,)]),
    "log10":   (mp.log10,                                [(0.5,), (1000.0,), (1e-5,)]),
    "sinh":    (mp.sinh,                                 [(0.5,), (-3.0,), (1e-8,), (700.0,)]),
    "cosh":    (mp.cosh,                                 [(0.5,), (-3.0,), (-700.0,)]),
    "asin":    (mp.asin,                                 [(0.5,), (-0.9,), (0.999999,), (1e-9,)]),
    "acos":    (mp.acos,                                 [(0.5,), (-0.9,), (0.999999,)]),
    "atan":    (mp.atan,                                 [(0.5,), (-3.0,), (1e10,)]),
    "softplus": (lambda a: mp.log1p(mp.exp(a)),          [(0.5,), (-30.0,), (40.0,), (-700.0,), (1000.0,)]),
    "sign":    (mp.sign,                                 [(0.5,), (-3.0,)]),
    "step":    (lambda a: mp.mpf(1 if a > 0 else 0),     [(0.5,), (-3.0,)]),
    "relu":    (lambda a: a if a > 0 else mp.mpf(0),     [(0.5,), (-3.0,)]),
    "abs":     (abs,                                     [(0.5,), (-3.0,)]),
    "max":     (lambda *a: max(a),                       [(1.0,), (1.0, 2.0), (3.0, -1.0, 2.0)]),
    "min":     (lambda *a: min(a),                       [(1.0,), (1.0, 2.0), (3.0, -1.0, 2.0)]),
}
# fmt: on

CASES = [(key, point) for key, (_, points) in REFERENCE.items() for point in points]


def test_every_op_has_a_reference() -> None:
    assert set(REFERENCE) == set(OPS)


def _close(x: float, ref: mp.mpf, rel: float) -> bool:
    return abs(mp.mpf(x) - ref) <= rel * max(abs(ref), mp.mpf("1e-300"))


@pytest.mark.parametrize("key, point", CASES, ids=[f"{k}{p}" for k, p in CASES])
def test_forward_and_local_gradients_match_mpmath(key: str, point: tuple[float, ...]) -> None:
    op = OPS[key]
    forward, _ = REFERENCE[key]
    assert op.domain is None or op.domain(*point)
    y = op.forward(*point)
    assert _close(y, forward(*map(mp.mpf, point)), 1e-14), (y, forward(*map(mp.mpf, point)))
    local = op.local(y, *point)
    assert len(local) == len(point)
    for k in range(len(point)):

        def along_k(t: mp.mpf, k: int = k) -> mp.mpf:
            args = [mp.mpf(v) for v in point]
            args[k] = t
            return forward(*args)

        reference = mp.diff(along_k, mp.mpf(point[k]))
        if key == "pow" and k == 1 and point[0] < 0:
            assert math.isnan(local[k])  # toward a constant exponent: "nan" where a <= 0 (SPEC.md)
            continue
        assert _close(local[k], reference, 1e-13), (k, local[k], reference)


def _one_gate(key: str, point: tuple[float, ...]) -> tuple[Graph, dict[str, float]]:
    """A graph of one gate over variables x0, x1, …; ``pow``'s exponent is a constant, as the row asks."""
    graph = Graph()
    if key == "pow":
        graph.apply(OPS[key], graph.variable("x0"), graph.constant(point[1], repr(point[1])))
        return graph, {"x0": point[0]}
    graph.apply(OPS[key], *(graph.variable(f"x{k}") for k in range(len(point))))
    return graph, {f"x{k}": v for k, v in enumerate(point)}


@pytest.mark.parametrize("key, point", CASES, ids=[f"{k}{p}" for k, p in CASES])
def test_complex_step_agrees_with_every_row(key: str, point: tuple[float, ...]) -> None:
    """The complex-step backend of each row differentiates to the row's own local gradients."""
    graph, at = _one_gate(key, point)
    result = cgcli.evaluate(graph, at)
    for name in at:
        analytic = result.gradient[name]
        assert complexstep.derivative(graph, at, name) == pytest.approx(analytic, rel=1e-13, abs=1e-300), name


@pytest.mark.parametrize("key", sorted(REFERENCE))
def test_the_batch_backend_agrees_with_every_row(key: str) -> None:
    """NumPy arrays give the float rows' values and gradients at every reference point, edges included."""
    for point in (p for k, p in CASES if k == key):
        graph, at = _one_gate(key, point)
        batch = evaluate_arrays(graph, {name: np.array([v, v]) for name, v in at.items()})
        one = cgcli.evaluate(graph, at)
        for n in range(2):
            assert float(batch.value[n]) == pytest.approx(one.output, rel=1e-12, abs=1e-300)
            for name, g in one.gradient.items():
                assert float(batch.gradient[name][n]) == pytest.approx(g, rel=1e-12, abs=1e-300, nan_ok=True)


@pytest.mark.parametrize(
    "text, x",
    [("asin(x)", 1.0), ("acos(x)", -1.0), ("softplus(x)", 1000.0), ("softplus(x)", -1000.0), ("cosh(x)", 800.0)]
    + [("sign(x)", 0.0), ("step(x)", 0.0), ("sinh(x)", -800.0), ("log2(x)", 5e-324)],
)
def test_edges_agree_in_the_batch(text: str, x: float) -> None:
    one = cgcli.evaluate(cgcli.parse(text), {"x": x})
    batch = evaluate_arrays(cgcli.parse(text), {"x": np.array([x, x])})
    assert batch.value.tolist() == [one.output] * 2
    assert batch.gradient["x"].tolist() == [one.gradient["x"]] * 2


@pytest.mark.parametrize(
    "text, x, line",
    [
        ("ln(x)", 2, "  #1 ln ln(x): upstream 1 × local 1/2 (0.5) = 0.5 → #0 x"),
        ("log2(x)", 2, "  #1 log2 log2(x): upstream 1 × local 1/(2·ln 2) (0.721348) = 0.721348 → #0 x"),
        ("log10(x)", 2, "  #1 log10 log10(x): upstream 1 × local 1/(2·ln 10) (0.217147) = 0.217147 → #0 x"),
        ("sinh(x)", 0, "  #1 sinh sinh(x): upstream 1 × local cosh(0) (1) = 1 → #0 x"),
        ("cosh(x)", -1, "  #1 cosh cosh(x): upstream 1 × local sinh(-1) (-1.1752) = -1.1752 → #0 x"),
        ("asin(x)", 0.5, "  #1 asin asin(x): upstream 1 × local 1/√(1-0.5²) (1.1547) = 1.1547 → #0 x"),
        ("acos(x)", -0.5, "  #1 acos acos(x): upstream 1 × local -1/√(1-(-0.5)²) (-1.1547) = -1.1547 → #0 x"),
        ("atan(x)", 2, "  #1 atan atan(x): upstream 1 × local 1/(1+2²) (0.2) = 0.2 → #0 x"),
        ("softplus(x)", 0, "  #1 softplus softplus(x): upstream 1 × local σ(0) (0.5) = 0.5 → #0 x"),
        ("sign(x)", 3, "  #1 sign sign(x): upstream 1 × local 0 = 0 → #0 x"),
        ("step(x)", 3, "  #1 step step(x): upstream 1 × local 0 = 0 → #0 x"),
    ],
    ids=lambda v: v if isinstance(v, str) and v.endswith(")") else "",
)
def test_new_rows_show_their_formula_in_steps(text: str, x: float, line: str) -> None:
    assert line in steps_text(cgcli.evaluate(cgcli.parse(text), {"x": x})).splitlines()


@pytest.mark.parametrize(
    "text, point, gradient",
    [
        ("relu(x)", {"x": 0.0}, {"x": 0.0}),
        ("abs(x)", {"x": 0.0}, {"x": 0.0}),
        ("max(x, y)", {"x": 1.0, "y": 1.0}, {"x": 0.5, "y": 0.5}),
        ("min(x, y, z)", {"x": 2.0, "y": 2.0, "z": 2.0}, {"x": 1 / 3, "y": 1 / 3, "z": 1 / 3}),
        ("max(x, x)", {"x": 3.0}, {"x": 1.0}),
        ("max(x, y, 5)", {"x": 5.0, "y": 1.0}, {"x": 0.5, "y": 0.0}),
        ("sqrt(x)", {"x": 0.0}, {"x": math.inf}),
        ("x^0", {"x": 0.0}, {"x": 0.0}),
        ("x^1", {"x": 0.0}, {"x": 1.0}),
        ("asin(x)", {"x": 1.0}, {"x": math.inf}),
        ("asin(x)", {"x": -1.0}, {"x": math.inf}),
        ("acos(x)", {"x": 1.0}, {"x": -math.inf}),
        ("sign(x)", {"x": 0.0}, {"x": 0.0}),
        ("step(x)", {"x": 0.0}, {"x": 0.0}),
    ],
    ids=["relu-0", "abs-0", "max-tie", "min-3-tie", "max-fork", "max-const-tie", "sqrt-0", "pow0-at-0", "pow1-at-0"]
    + ["asin-1", "asin-minus-1", "acos-1", "sign-0", "step-0"],
)
def test_conventions_where_no_derivative_exists(text: str, point: dict[str, float], gradient: dict[str, float]) -> None:
    """SPEC.md: the minimum-norm subgradient; ties split evenly; sqrt'(0) is infinite."""
    assert cgcli.evaluate(cgcli.parse(text), point).gradient == pytest.approx(gradient)


def test_max_tie_sends_half_to_each_use_of_a_fork() -> None:
    graph = cgcli.parse("max(x, x)")
    result = cgcli.evaluate(graph, {"x": 2.0})
    assert result.local[graph.output] == (0.5, 0.5)


@pytest.mark.parametrize(
    "text, x, value",
    [
        ("sigmoid(x)", -1000.0, 0.0),
        ("sigmoid(x)", 1000.0, 1.0),
        ("tanh(x)", 1000.0, 1.0),
        ("(-2)^3", 0, -8.0),
        ("softplus(x)", 1000.0, 1000.0),
        ("softplus(x)", -1000.0, 0.0),
        ("atan(x)", 1e300, math.pi / 2),
    ],
)
def test_stable_forms_do_not_overflow(text: str, x: float, value: float) -> None:
    graph = cgcli.parse(text if "x" in text else f"{text} + 0*x")
    result = cgcli.evaluate(graph, {"x": x})
    assert result.output == value
    assert result.warnings == []


@pytest.mark.parametrize(
    "text, point, message",
    [
        ("log(x-2)", {"x": 1.0}, "log needs a positive argument: in log(x - 2) (node 3) the argument is -1"),
        ("log(x)", {"x": 0.0}, "log needs a positive argument"),
        ("sqrt(x)", {"x": -1.0}, "sqrt needs a non-negative argument"),
        ("1/(x-x)", {"x": 2.0}, "div needs a non-zero divisor: in 1 / (x - x)"),
        ("x^-1", {"x": 0.0}, "pow needs"),
        ("x^(1/3)", {"x": -8.0}, "pow needs"),
        ("x^y", {"x": -2.0, "y": 3.0}, "the exponent depends on a variable"),
        ("asin(x)", {"x": 1.5}, "asin needs an argument in [-1, 1]: in asin(x) (node 1) the argument is 1.5"),
        ("acos(x)", {"x": -1.0000001}, "acos needs an argument in [-1, 1]"),
        ("log2(x)", {"x": 0.0}, "log2 needs a positive argument: in log2(x) (node 1) the argument is 0"),
        ("log10(x)", {"x": -1.0}, "log10 needs a positive argument"),
        ("ln(x)", {"x": -1.0}, "ln needs a positive argument"),
    ],
)
def test_domain_errors_name_the_sub_expression_and_value(text: str, point: dict[str, float], message: str) -> None:
    with pytest.raises(cgcli.DomainError) as caught:
        cgcli.evaluate(cgcli.parse(text), point)
    assert message in str(caught.value)
    assert caught.value.exit_code == 3


@pytest.mark.parametrize(
    "text, value",
    [("(-2)^3", -8.0), ("0^0", 1.0), ("2^-1", 0.5), ("(-2)^-2", 0.25), ("0^2", 0.0)],
)
def test_powers_with_a_constant_exponent(text: str, value: float) -> None:
    assert cgcli.evaluate(cgcli.parse(text), {}).output == value


def test_overflow_gives_inf_and_a_warning() -> None:
    result = cgcli.evaluate(cgcli.parse("exp(x)"), {"x": 1000.0})
    assert result.output == math.inf
    assert result.warnings and "overflow" in result.warnings[0] and "exp(x)" in result.warnings[0]


@pytest.mark.parametrize(
    "text, point, warning",
    [
        ("0*exp(x)", {"x": 1000.0}, "NaN: 0 * exp(x) (node 3) is nan, from mul(0, inf)"),
        ("exp(x)-exp(x)", {"x": 1000.0}, "NaN: exp(x) - exp(x) (node 3) is nan, from sub(inf, inf)"),
        ("x*1e308*10", {"x": 1.0}, "overflow: x * 1e308 * 10 (node 4) is inf, from mul(1e+308, 10)"),
        ("sqrt(x-x)", {"x": 1.0}, "the gradient becomes inf at x - x (node 1): ∂f/∂x = nan"),
    ],
    ids=["0-times-inf", "inf-minus-inf", "mul-overflow", "gradient-nan"],
)
def test_nan_and_overflow_sources_are_named(text: str, point: dict[str, float], warning: str) -> None:
    result = cgcli.evaluate(cgcli.parse(text), point)
    assert warning in result.warnings


def test_warnings_are_bounded() -> None:
    result = cgcli.evaluate(cgcli.parse("+".join(["exp(x)"] * 50)), {"x": 1000.0})
    assert len(result.warnings) == 11 and result.warnings[-1] == "… and 40 more nodes"
