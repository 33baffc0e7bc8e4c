"""``cgcli diff``: the textbook forms, exact output, errors, JSON (SPEC.md's diff entry)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

import cgcli
from cgcli.cli import cli
from cgcli.modes.diff import differentiate
from cgcli.present.diff_text import diff_text

from .diffkit import forbidden, run_lines


def text_of(expression: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["diff", "--", expression, *args])
    assert result.exit_code == 0, result.output
    return result.stdout  # warnings (diff of a constant: nothing to differentiate) go to stderr


# fmt: off
TEXTBOOK = [
    ("x^3",      {"∂f/∂x = 3 * x^2"}),
    ("sin(x)*x", {"∂f/∂x = x * cos(x) + sin(x)", "∂f/∂x = sin(x) + x * cos(x)"}),
    ("exp(2*x)", {"∂f/∂x = 2 * exp(2 * x)"}),
    ("log(x)",   {"∂f/∂x = 1 / x"}),
    ("sqrt(x)",  {"∂f/∂x = 1 / (2 * sqrt(x))"}),
    ("cos(x)",   {"∂f/∂x = -sin(x)"}),
    ("x^2 + 3*x + 1", {"∂f/∂x = 2 * x + 3"}),
    ("x*y - y*x + x", {"∂f/∂x = 1\n∂f/∂y = 0"}),
    ("-(-x)",    {"∂f/∂x = 1"}),
    ("x - -x",   {"∂f/∂x = 2"}),
    ("x^1 * 1 + 0", {"∂f/∂x = 1"}),
    ("2*3*x",    {"∂f/∂x = 6"}),
]
# fmt: on


@pytest.mark.parametrize("expression, expected", TEXTBOOK, ids=[t for t, _ in TEXTBOOK])
def test_textbook_forms(expression: str, expected: set[str]) -> None:
    assert text_of(expression).rstrip("\n") in expected


def test_spec_example_exactly() -> None:
    assert text_of("(x+y)*z") == "∂f/∂x = z\n∂f/∂y = z\n∂f/∂z = x + y\n"


def test_sigmoid_shares_its_value_with_f() -> None:
    d = differentiate(cgcli.parse("sigmoid(w*x+b)"))
    # σ(E) is one node: f itself, named once and used by σ(E)·(1 − σ(E))
    assert d.shared[d.function] == "t1"
    assert diff_text(d).splitlines()[:2] == ["t1 = sigmoid(w * x + b)", "t2 = t1 * (1 - t1)"]


def test_the_neuron_fused_and_not() -> None:
    neuron = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
    fused = text_of(neuron, "--fuse")
    assert fused.startswith("t1 = sigmoid(w0 * x0 + w1 * x1 + w2)\nt2 = t1 * (1 - t1)\n")
    assert "∂f/∂w0 = t2 * x0\n" in fused
    plain = text_of(neuron)
    assert "exp(-(w0 * x0 + w1 * x1 + w2))" in plain


def test_values_with_vars_equal_grad() -> None:
    out = text_of("(x+y)*z", "--x=-2", "--y=5", "--z=-4")
    assert out == "∂f/∂x = z = -4\n∂f/∂y = z = -4\n∂f/∂z = x + y = 3\n"


def test_wrt_chooses_and_orders() -> None:
    assert text_of("(x+y)*z", "--wrt", "z,x") == "∂f/∂z = x + y\n∂f/∂x = z\n"


def test_shared_names_avoid_the_variables() -> None:
    out = text_of("sigmoid(t1*t2 + t3)")
    names = [line.split(" = ")[0] for line in out.splitlines() if not line.startswith("∂")]
    assert names and not set(names) & {"t1", "t2", "t3"}
    values = run_lines(out.rstrip("\n"), {"t1": 0.3, "t2": -1.2, "t3": 0.5})
    g = cgcli.evaluate(cgcli.parse("sigmoid(t1*t2 + t3)"), {"t1": 0.3, "t2": -1.2, "t3": 0.5}).gradient
    assert values["∂f/∂t1"] == pytest.approx(g["t1"], rel=1e-12)


def test_order_labels_and_hessian_labels() -> None:
    assert text_of("x^4", "--order", "3", "--wrt", "x") == "∂³f/∂x³ = 24 * x\n"
    assert text_of("x^2*y", "--hessian").splitlines()[-4:] == [
        "∂²f/∂x² = 2 * y",
        "∂²f/∂x∂y = t1",
        "∂²f/∂y∂x = t1",
        "∂²f/∂y² = 0",
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["x*y", "--wrt", "q"], "--wrt names q, which the expression does not use (it uses x, y)"),
        (["x*y", "--order", "2"], "--order 2 differentiates by one variable: give exactly one, as in --wrt x"),
        (["x*y", "--order", "2", "--wrt", "x,y"], "--order 2 differentiates by one variable"),
        (["x^3", "--order", "2"], "--order 2 differentiates by one variable"),
        (["x*y", "--order", "2", "--wrt", "x", "--hessian"], "--order and --hessian cannot be combined"),
        (["x*y", "--x=1"], "missing value for y"),
        (["x*", "--wrt", "x"], "unexpected end"),
    ],
    ids=[
        "unknown-wrt",
        "order-without-wrt",
        "order-two-wrt",
        "order-one-variable-no-wrt",
        "order-and-hessian",
        "missing-var",
        "parse",
    ],
)
def test_errors_exit_2_with_one_message(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["diff", *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("cgcli: error: ")
    assert message in result.stderr


def test_domain_error_at_the_point_exits_3() -> None:
    result = CliRunner().invoke(cli, ["diff", "log(x)", "--x=-1"])
    assert result.exit_code == 3 and "log needs a positive argument" in result.stderr


def test_json_shape() -> None:
    result = CliRunner().invoke(cli, ["diff", "(x+y)*z", "--json", "x=-2", "y=5", "z=-4"])
    document = json.loads(result.output)
    assert document["expression"] == "(x+y)*z" and document["output"] == "f"
    assert document["shared"] == []
    assert document["derivatives"]["x"] == {"expr": "z", "program": "z", "value": -4.0}
    assert document["derivatives"]["z"] == {"expr": "x + y", "program": "x + y", "value": 3.0}
    assert "hessian" not in document
    without = json.loads(CliRunner().invoke(cli, ["diff", "(x+y)*z", "--format", "json"]).output)
    assert "value" not in without["derivatives"]["x"]


def test_json_shared_and_programs() -> None:
    document = json.loads(CliRunner().invoke(cli, ["diff", "sigmoid(w*x)", "--json"]).output)
    assert document["shared"] == [
        {"name": "t1", "expr": "sigmoid(w * x)"},
        {"name": "t2", "expr": "t1 * (1 - t1)"},
    ]
    assert document["derivatives"]["w"] == {
        "expr": "t2 * x",
        "program": "t1 = sigmoid(w * x)\nt2 = t1 * (1 - t1)\nt2 * x",
    }


def test_json_hessian_values_and_order() -> None:
    args = ["diff", "x^2*y", "--json", "--hessian", "x=3", "y=2"]
    document = json.loads(CliRunner().invoke(cli, args).output)
    assert document["hessian"]["x"]["y"]["value"] == 6.0
    assert document["hessian"]["y"]["y"] == {"expr": "0", "program": "0", "value": 0.0}
    assert document["derivatives"]["x"]["value"] == 12.0
    args = ["diff", "x^5", "--json", "--order", "2", "--wrt", "x", "x=2"]
    document = json.loads(CliRunner().invoke(cli, args).output)
    assert document["order"] == 2 and document["derivatives"]["x"]["expr"] == "20 * x^3"
    assert document["derivatives"]["x"]["value"] == 160.0


@pytest.mark.parametrize(
    "expression",
    ["x^3", "sin(x)*x", "(x+y)*z", "1/(1+exp(-(w0*x0+w1*x1+w2)))", "max(x, y) - min(x, 2*y) + relu(x) * abs(y)"],
)
def test_no_forbidden_pattern(expression: str) -> None:
    for args in ([], ["--hessian"], ["--format", "python"], ["--format", "latex"]):
        out = text_of(expression, *args)
        if "python" in args:  # its numbers are floats: 1.0 - t1 is no "1 -" of the grammar
            out = out.replace(".0", "")
        assert forbidden(out) == [], out


def test_real_subprocess() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cgcli", "diff", "(x+y)*z"], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "∂f/∂x = z\n∂f/∂y = z\n∂f/∂z = x + y\n", "")


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("1e308*10*x", "∂f/∂x = 1e+308 * 10\n"),  # the product overflows: it stays as written, and grad says inf
        ("max(x, x, x)", "∂f/∂x = 1\n"),
        ("1e308*x + 1e308*x", "∂f/∂x = 2 * 1e+308\n"),
        ("5", ""),
    ],
    ids=["overflowing-constant", "max-of-one-node", "overflowing-sum", "no-variables"],
)
def test_edges(expression: str, expected: str) -> None:
    assert text_of(expression) == expected
