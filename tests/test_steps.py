"""`grad --steps`: the backward pass, edge by edge, with the lecture's numbers."""

from __future__ import annotations

import json

import pytest

import cgcli
from cgcli.cli import cli
from cgcli.present.steps import steps, steps_text

from .conftest import LECTURE


def test_the_neuron_walk_through_matches_the_lecture(runner) -> None:
    text, point, _, _ = LECTURE["neuron"]
    args = ["grad", text, *(f"{k}={v}" for k, v in point.items()), "--steps", "--digits", "3"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0
    lines = result.stdout.split("backward pass, from the output to the inputs:\n")[1].splitlines()
    expr = "w0 * x0 + w1 * x1 + w2"
    assert lines[:4] == [
        # at 1/x: upstream 1, local -1/1.37² = -0.53 (the operand in full: -1/1.37² rounds to -0.533)
        f"  #14 div 1 / (1 + exp(-({expr}))): upstream 1 × local -1/1.3678794411714423² (-0.534) = -0.534"
        f" → #13 1 + exp(-({expr}))",
        # at +1: local 1
        f"  #13 add 1 + exp(-({expr})): upstream -0.534 × local 1 = -0.534 → #12 exp(-({expr}))",
        # at exp: local e^-1
        f"  #12 exp exp(-({expr})): upstream -0.534 × local e^-1 (0.368) = -0.197 → #11 -({expr})",
        # at *-1: local -1
        f"  #11 neg -({expr}): upstream -0.197 × local -1 = 0.197 → #10 {expr}",
    ]
    assert "  #4 mul w0 * x0: upstream 0.197 × local -1 = -0.197 → #2 w0" in lines
    assert "  #4 mul w0 * x0: upstream 0.197 × local 2 = 0.393 → #3 x0" in lines
    assert len(lines) == 12  # one line per edge that carries a gradient to a variable's side


def test_the_first_local_gradient_is_minus_one_over_1_37_squared() -> None:
    text, point, _, _ = LECTURE["neuron"]
    first = steps(cgcli.evaluate(cgcli.parse(text), point))[0]
    assert first["local"] == pytest.approx(-1 / (1 + 2.718281828459045**-1) ** 2)


def test_a_fork_sums_its_contributions() -> None:
    records = steps(cgcli.evaluate(cgcli.parse("x*y + x"), {"x": 2.0, "y": 3.0}))
    (fork,) = [r for r in records if "fork" in r]
    assert fork["fork"] == 0 and fork["contributions"] == [1.0, 3.0] and fork["sum"] == 4.0


def test_steps_as_json(runner) -> None:
    result = runner.invoke(cli, ["grad", "x*x", "x=3", "--steps", "--json"])
    doc = json.loads(result.stdout)
    assert doc["gradient"] == {"x": 6.0}
    assert [s.get("contribution") for s in doc["steps"]] == [3.0, 3.0, None]
    assert doc["steps"][-1] == {"fork": 0, "expr": "x", "contributions": [3.0, 3.0], "sum": 6.0}


@pytest.mark.parametrize(
    "text, point, line",
    [
        ("x/y", {"x": -2, "y": -4}, "  #2 div x / y: upstream 1 × local -(-2)/(-4)² (0.125) = 0.125 → #1 y"),
        ("x/y", {"x": -2, "y": -4}, "  #2 div x / y: upstream 1 × local 1/(-4) (-0.25) = -0.25 → #0 x"),
        ("x^3", {"x": 2}, "  #2 pow x ^ 3: upstream 1 × local 3·2^(3-1) (12) = 12 → #0 x"),
        ("sigmoid(x)", {"x": 0}, "  #1 sigmoid sigmoid(x): upstream 1 × local (1-0.5)·0.5 (0.25) = 0.25 → #0 x"),
        ("sin(x)", {"x": 0}, "  #1 sin sin(x): upstream 1 × local cos(0) (1) = 1 → #0 x"),
        ("relu(x)", {"x": 2}, "  #1 relu relu(x): upstream 1 × local 1 = 1 → #0 x"),  # no formula: the value
    ],
    ids=["div-b", "div-a", "pow", "sigmoid", "sin", "relu"],
)
def test_local_gradients_show_their_formula_filled_in(text: str, point: dict, line: str) -> None:
    assert line in steps_text(cgcli.evaluate(cgcli.parse(text), point)).splitlines()


def test_steps_json_gives_the_formula_in_the_ops_letters(runner) -> None:
    text, point, _, _ = LECTURE["neuron"]
    doc = json.loads(
        runner.invoke(cli, ["grad", text, *(f"{k}={v}" for k, v in point.items()), "--steps", "--json"]).stdout
    )
    assert [s["formula"] for s in doc["steps"][:4]] == ["-a/b²", "1", "e^a", "-1"]
    assert doc["steps"][0]["local"] == pytest.approx(-1 / 1.36787944117144**2)


def test_an_operand_digits_would_round_is_written_in_full(runner) -> None:
    """At --digits 2, -1/1.4² would say -0.51 while the local is -0.53."""
    text, point, _, _ = LECTURE["neuron"]
    args = ["grad", text, *(f"{k}={v}" for k, v in point.items()), "--steps", "--digits", "2"]
    first = runner.invoke(cli, args).stdout.split("backward pass, from the output to the inputs:\n")[1].splitlines()[0]
    assert "upstream 1 × local -1/1.3678794411714423² (-0.53) = -0.53" in first


def test_exact_operands_stay_short() -> None:
    lines = steps_text(cgcli.evaluate(cgcli.parse("x/y"), {"x": -2, "y": 0.5}), digits=2).splitlines()
    assert "  #2 div x / y: upstream 1 × local -(-2)/0.5² (8) = 8 → #1 y" in lines


@pytest.mark.parametrize(
    "text, point, line",
    [
        ("x*y - x", {"x": 1, "y": 2}, "  fork #0 x: -1 + 2 = 1"),
        ("x*y - x", {"x": 1, "y": -2}, "  fork #0 x: -1 - 2 = -3"),
        ("x*x + x", {"x": -2}, "  fork #0 x: 1 - 2 - 2 = -3"),
    ],
)
def test_a_fork_subtracts_negative_terms(text: str, point: dict, line: str) -> None:
    assert line in steps_text(cgcli.evaluate(cgcli.parse(text), point)).splitlines()
