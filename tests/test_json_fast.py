"""``grad --json`` writes each node from a template: byte for byte what building the dicts and encoding them gives."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cgcli
from cgcli.cli import cli
from cgcli.core.fuse import fuse
from cgcli.present.json import dumps, grad_json, grad_json_chunks
from cgcli.present.steps import steps_json

CASES = [
    ("(x+y)*z", {"x": -2.0, "y": 5.0, "z": -4.0}),
    ("1/(1+exp(-(w0*x0+w1*x1+w2)))", {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}),
    ("exp(x) - exp(x) + 0*exp(x)", {"x": 1000.0}),  # inf and nan, as strings
    ("sqrt(x) + x^0.5 + max(x, x, 0)", {"x": 0.0}),
    ("2^3^2", {}),
    ("x × y − x ÷ y", {"x": 1e-320, "y": 3.0}),  # pasted typography in the source, a subnormal
    ("ln(x) + log2(x) + log10(x) + sinh(x) + cosh(x) + asin(x/2) + acos(x/2) + atan(x)", {"x": 0.3}),
    ("softplus(x) + sign(x) + step(x) + relu(x) + abs(x) + tanh(x) + sigmoid(x)", {"x": -0.7}),
    ("x", {"x": 1.5}),
    ("pi*e", {}),
    ("q = x + y; f = q * z", {"x": -2.0, "y": 5.0, "z": -4.0}),  # names, and the output's
    ("h = sigmoid(w*x); L = h*h", {"w": 0.5, "x": -1.0}),
]


def both(result: cgcli.Result, extra: dict | None = None) -> tuple[str, str]:
    document = grad_json(result) | (extra or {})
    return dumps(document), "".join(grad_json_chunks(result, extra))


@pytest.mark.parametrize("text, point", CASES)
def test_the_same_bytes(text: str, point: dict[str, float]) -> None:
    result = cgcli.evaluate(cgcli.parse(text), point)
    old, new = both(result)
    assert new == old
    json.loads(new)  # and still strict JSON


def test_fused_nodes_and_steps() -> None:
    graph = fuse(cgcli.parse("1/(1+exp(-(w*x)))"))
    result = cgcli.evaluate(graph, {"w": 2.0, "x": -1.0})
    old, new = both(result, {"steps": steps_json(result)})
    assert new == old and '"fused": true' in new


def test_more_nodes_than_a_chunk() -> None:
    text = "+".join(f"sin(x{k})" for k in range(5000))
    result = cgcli.evaluate(cgcli.parse(text), {f"x{k}": k / 7 for k in range(5000)})
    old, new = both(result)
    assert new == old


def test_the_command_writes_it(runner) -> None:
    text, point = CASES[1]
    out = runner.invoke(cli, ["grad", text, *(f"{k}={v}" for k, v in point.items()), "--json", "--steps"]).stdout
    result = cgcli.evaluate(cgcli.parse(text), point)
    assert out == dumps(grad_json(result) | {"steps": steps_json(result)}) + "\n"


@settings(max_examples=100, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True, allow_infinity=True))
def test_any_numbers(x: float, y: float) -> None:
    result = cgcli.evaluate(cgcli.parse("x*y + exp(x) - y/(1+x*x)"), {"x": x, "y": y})
    old, new = both(result)
    assert new == old
