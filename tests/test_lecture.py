"""The lecture's own numbers, through the Python API and the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import cgcli
from cgcli.cli import cli

from .conftest import LECTURE

SPEC = Path(__file__).resolve().parents[1].parent / "shared" / "SPEC.md"


@pytest.mark.parametrize("name", LECTURE, ids=list(LECTURE))
def test_lecture_value_and_gradient(name: str) -> None:
    text, point, value, gradient = LECTURE[name]
    result = cgcli.evaluate(cgcli.parse(text), point)
    assert result.output == pytest.approx(value, abs=1e-10)
    assert list(result.gradient) == list(gradient)  # order of first use
    for var, g in gradient.items():
        assert result.gradient[var] == pytest.approx(g, abs=1e-10), var


def test_sigmoid_gate_equals_the_spelled_out_neuron() -> None:
    _, point, _, _ = LECTURE["neuron"]
    long = cgcli.evaluate(cgcli.parse(LECTURE["neuron"][0]), point)
    short = cgcli.evaluate(cgcli.parse(LECTURE["neuron-sigmoid"][0]), point)
    assert short.output == pytest.approx(long.output, rel=1e-15)
    for var in point:
        assert short.gradient[var] == pytest.approx(long.gradient[var], rel=1e-14)
    assert len(cgcli.parse(LECTURE["neuron-sigmoid"][0])) < len(cgcli.parse(LECTURE["neuron"][0]))


def test_lecture_intermediate_values_of_the_neuron() -> None:
    """The slide's forward values: w·x+b = 1, exp(-1) = 0.37, 1 + 0.37 = 1.37, 1/1.37 = 0.73."""
    _, point, _, _ = LECTURE["neuron"]
    graph = cgcli.parse(LECTURE["neuron"][0])
    result = cgcli.evaluate(graph, point)
    by_text = {graph.text(i): (result.value[i], result.grad[i]) for i in range(len(graph))}
    assert by_text["w0 * x0 + w1 * x1 + w2"][0] == pytest.approx(1.0)
    assert by_text["exp(-(w0 * x0 + w1 * x1 + w2))"][0] == pytest.approx(0.36787944)
    assert by_text["1 + exp(-(w0 * x0 + w1 * x1 + w2))"] == pytest.approx((1.36787944, -0.5344466), abs=1e-7)
    assert by_text["exp(-(w0 * x0 + w1 * x1 + w2))"][1] == pytest.approx(-0.5344466, abs=1e-7)
    assert by_text["-(w0 * x0 + w1 * x1 + w2)"][1] == pytest.approx(-0.1966119, abs=1e-7)


SPEC_JSON = {
    "output": "f",
    "expression": "(x+y)*z",
    "value": -12.0,
    "gradient": {"x": -4.0, "y": -4.0, "z": 3.0},
    "nodes": [
        {"id": 0, "op": "var", "expr": "x", "inputs": [], "value": -2.0, "local": [], "grad": -4.0},
        {"id": 1, "op": "var", "expr": "y", "inputs": [], "value": 5.0, "local": [], "grad": -4.0},
        {
            "id": 2,
            "op": "add",
            "expr": "x + y",
            "inputs": [0, 1],
            "value": 3.0,
            "local": [1.0, 1.0],
            "grad": -4.0,
            "role": "distributor",
        },
        {"id": 3, "op": "var", "expr": "z", "inputs": [], "value": -4.0, "local": [], "grad": 3.0},
        {
            "id": 4,
            "op": "mul",
            "expr": "(x + y) * z",
            "inputs": [2, 3],
            "value": -12.0,
            "local": [-4.0, 3.0],
            "grad": 1.0,
            "role": "switcher",
        },
    ],
}


def test_grad_json_is_specs_example(runner) -> None:
    result = runner.invoke(cli, ["grad", "(x+y)*z", "--x=-2", "--y=5", "--z=-4", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == SPEC_JSON


@pytest.mark.skipif(not SPEC.is_file(), reason="SPEC.md lives beside the project, not in it")
def test_grad_json_matches_the_example_in_spec_md(runner) -> None:
    """Pin the contract's own text: SPEC.md's ```json block of `grad` (the one with "nodes").

    SPEC.md lets new keys be added, so every key of the example must be there with its value.
    """
    blocks = re.findall(r"```json\n(.*?)```", SPEC.read_text(encoding="utf-8"), re.DOTALL)
    (example,) = [json.loads(b) for b in blocks if '"nodes"' in b]
    result = runner.invoke(cli, ["grad", "(x+y)*z", "--x=-2", "--y=5", "--z=-4", "--json"])
    document = json.loads(result.stdout)
    top = {key: value for key, value in example.items() if key != "nodes"}
    assert {key: document[key] for key in top} == top
    assert len(document["nodes"]) == len(example["nodes"])
    pairs = zip(document["nodes"], example["nodes"], strict=True)
    shown = [{key: node.get(key) for key in spec} for node, spec in pairs]
    assert shown == example["nodes"]
