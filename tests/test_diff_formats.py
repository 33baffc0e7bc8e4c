"""diff's other outputs: LaTeX a real parser accepts, Python that runs and matches grad,
--order and --hessian against finite differences of grad, and 100,000-deep inputs."""

from __future__ import annotations

import math
import random

import pytest
from click.testing import CliRunner

import cgcli
from cgcli.cli import cli
from cgcli.modes.diff import differentiate
from cgcli.present.diff_latex import diff_latex, latex_name
from cgcli.present.diff_python import diff_python
from cgcli.present.diff_text import diff_text

from .diffkit import close, run_lines
from .test_diff_ops import CASES, ROWS, _points

mathtext = pytest.importorskip("matplotlib.mathtext")


def latex_ok(line: str) -> None:
    """matplotlib's mathtext parses (and lays out) the line, or raises ValueError."""
    mathtext.MathTextParser("path").parse(f"${line}$")


def test_the_latex_parser_rejects_broken_latex() -> None:
    with pytest.raises(ValueError):
        latex_ok(r"\frac{a}")


@pytest.mark.parametrize("key, expression", ROWS, ids=[f"{k}:{t}" for k, t in ROWS])
def test_latex_parses(key: str, expression: str) -> None:
    for d in (differentiate(cgcli.parse(expression)), differentiate(cgcli.parse(expression), hessian=True)):
        for line in diff_latex(d).splitlines():
            latex_ok(line)


def test_latex_forms() -> None:
    d = differentiate(cgcli.fuse(cgcli.parse("1/(1+exp(-(w0*x0+w1*x1+w2)))")))
    lines = diff_latex(d).splitlines()
    assert lines[0] == r"t_{1} = \sigma\left(w_{0} \cdot x_{0} + w_{1} \cdot x_{1} + w_{2}\right)"
    assert lines[1] == r"t_{2} = t_{1} \cdot \left(1 - t_{1}\right)"
    assert lines[2] == r"\frac{\partial f}{\partial w_{0}} = t_{2} \cdot x_{0}"
    text = diff_latex(differentiate(cgcli.parse("exp(2*x) + sqrt(x) + x^3/y")))
    assert text.splitlines() == [
        r"\frac{\partial f}{\partial x} = 3 \cdot \frac{x^{2}}{y} + \frac{1}{2 \cdot \sqrt{x}} + 2 \cdot e^{2 \cdot x}",
        r"\frac{\partial f}{\partial y} = -\frac{\frac{x^{3}}{y}}{y}",
    ]
    hessian = diff_latex(differentiate(cgcli.parse("x^2*y"), hessian=True)).splitlines()
    assert r"\frac{\partial^{2} f}{\partial x \partial y} = t_{1}" in hessian
    assert r"\frac{\partial^{2} f}{\partial x^{2}} = 2 \cdot y" in hessian


@pytest.mark.parametrize(
    "name, latex",
    [
        ("x", "x"),
        ("w0", "w_{0}"),
        ("x_12", "x_{12}"),
        ("alpha", r"\alpha"),
        ("rate", r"\mathit{rate}"),
        ("a_b", r"\mathit{a\_b}"),
        ("alpha2", r"\alpha_{2}"),
    ],
)
def test_latex_names(name: str, latex: str) -> None:
    assert latex_name(name) == latex
    latex_ok(latex)


# -- Python -------------------------------------------------------------------


def run_python(code: str, point: dict[str, float], graph: cgcli.Graph) -> tuple[object, ...]:
    """Run the generated function (the code is cgcli's own output, written from the graph)."""
    namespace: dict[str, object] = {}
    exec(compile(code, "<cgcli diff>", "exec"), namespace)  # noqa: S102 - our generated code, in a test
    function = [v for k, v in namespace.items() if callable(v) and k != "__builtins__"][-1]
    return function(*(point[v] for v in graph.variables))  # type: ignore[operator, no-any-return]


@pytest.mark.parametrize("key, expression", ROWS, ids=[f"{k}:{t}" for k, t in ROWS])
def test_python_runs_and_matches_grad(key: str, expression: str) -> None:
    graph = cgcli.parse(expression)
    code = diff_python(differentiate(graph))
    assert code.startswith("import math\n") and code.count("import") == 1
    for point in _points(CASES[key][1], expression):
        point = {k: v for k, v in point.items() if k in graph.variables}
        result = cgcli.evaluate(graph, point)
        value, gradient = run_python(code, point, graph)
        assert close(value, result.output)  # type: ignore[arg-type]
        for v, g in result.gradient.items():
            assert close(gradient[v], g), (code, point, v)  # type: ignore[index]


def test_python_renames_what_would_clash() -> None:
    graph = cgcli.parse("lambda * math + value - abs(sigmoid_) + None_ * f")
    code = diff_python(differentiate(graph))
    assert "def f_(lambda_, math_, value_, sigmoid_, None_, f):" in code
    point = {v: 0.5 + k for k, v in enumerate(graph.variables)}
    value, gradient = run_python(code, point, graph)
    assert value == cgcli.evaluate(graph, point).output
    assert set(gradient) == set(graph.variables)  # type: ignore[arg-type]


def test_python_hessian_and_deep() -> None:
    graph = cgcli.parse("x^2*y + sin(x*y)")
    value, gradient, hessian = run_python(diff_python(differentiate(graph, hessian=True)), {"x": 0.3, "y": 2}, graph)
    assert hessian["x"]["y"] == pytest.approx(2 * 0.3 + math.cos(0.6) - 0.6 * math.sin(0.6), rel=1e-12)  # type: ignore[index]
    deep = cgcli.parse("sin(" * 2000 + "x" + ")" * 2000)
    value, gradient = run_python(diff_python(differentiate(deep)), {"x": 0.5}, deep)
    assert close(gradient["x"], cgcli.evaluate(deep, {"x": 0.5}).gradient["x"])  # type: ignore[index]


# -- --order and --hessian against finite differences of grad --------------------


def grad_at(graph: cgcli.Graph, point: dict[str, float]) -> dict[str, float]:
    return cgcli.evaluate(graph, point).gradient


@pytest.mark.parametrize(
    "expression", ["x^2*y + sin(x*y)", "sigmoid(w*x + b)", "exp(x)/(1 + y^2) * log(x + 2)", "tanh(x*y) * x^3"]
)
def test_hessian_against_finite_differences_of_grad(expression: str) -> None:
    graph = cgcli.parse(expression)
    d = differentiate(graph, hessian=True)
    lines = diff_text(d)
    rng = random.Random(expression)
    for _ in range(3):
        point = {v: rng.uniform(0.2, 1.5) for v in graph.variables}
        values = run_lines(lines, point)
        for u in graph.variables:
            for v in graph.variables:
                h = 1e-5
                up, down = dict(point), dict(point)
                up[v] += h
                down[v] -= h
                numeric = (grad_at(graph, up)[u] - grad_at(graph, down)[u]) / (2 * h)
                label = f"∂²f/∂{u}²" if u == v else f"∂²f/∂{u}∂{v}"
                assert values[label] == pytest.approx(numeric, rel=1e-6, abs=1e-8), (label, point)


def test_order_against_finite_differences_and_the_closed_form() -> None:
    graph = cgcli.parse("sin(x)*exp(x)")
    previous = None
    for n in range(1, 11):
        text = diff_text(differentiate(graph, ["x"], order=n))
        for x in (-1.3, 0.2, 2.0):
            (got,) = run_lines(text, {"x": x}).values()
            # (e^x sin x)^(n) = 2^(n/2) e^x sin(x + nπ/4)
            assert got == pytest.approx(
                2 ** (n / 2) * math.exp(x) * math.sin(x + n * math.pi / 4), rel=1e-12, abs=1e-12
            )
            if previous is not None:
                h = 1e-5
                lower = [next(iter(run_lines(previous, {"x": x + s}).values())) for s in (h, -h)]
                assert got == pytest.approx((lower[0] - lower[1]) / (2 * h), rel=1e-6)
        previous = text
    size = differentiate(graph, ["x"], order=10).size()
    assert size <= 40, size


def test_order_10_via_cli_is_small() -> None:
    result = CliRunner().invoke(cli, ["diff", "sin(x)*exp(x)", "--wrt", "x", "--order", "10", "x=0.5"])
    assert result.exit_code == 0
    *_, last = result.output.splitlines()
    assert last.startswith("∂¹⁰f/∂x¹⁰ = ")
    assert float(last.rsplit(" = ", 1)[1]) == pytest.approx(32 * math.exp(0.5) * math.cos(0.5), rel=1e-5)


# -- big inputs: nothing recursive ------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "text", ["sin(" * 100_000 + "x" + ")" * 100_000, "(0.5*" * 50_000 + "x" + "+1)" * 50_000, "x" + "*x+x" * 50_000]
)
def test_100000_deep_and_long(text: str) -> None:
    graph = cgcli.parse(text)
    d = differentiate(graph)
    out = diff_text(d)
    assert out.count("\n") < 200_001
    assert d.size() <= 4 * len(graph) + 10
    value = cgcli.evaluate(graph, {"x": 0.3}).gradient["x"]
    if len(graph) < 150_000:
        assert close(run_lines(out, {"x": 0.3})["∂f/∂x"], value, rel=1e-9)
