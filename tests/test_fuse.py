"""`--fuse`: 1/(1+exp(-E)) becomes one sigmoid gate with the same gradients."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import cgcli
from cgcli.cli import cli
from cgcli.core.fuse import fuse

from .conftest import LECTURE


def test_the_neuron_fuses_into_one_gate_with_the_same_gradients() -> None:
    text, point, value, gradient = LECTURE["neuron"]
    graph = cgcli.parse(text)
    fused = fuse(graph)
    assert len(fused) == len(graph) - 5
    assert [fused.op_name(i) for i in fused.fused] == ["sigmoid"]
    result = cgcli.evaluate(fused, point)
    assert result.output == pytest.approx(value, abs=1e-10)
    assert result.gradient == pytest.approx(gradient, abs=1e-10)


@pytest.mark.parametrize("text", ["1/(1+exp(-x))", "1/(exp(-x)+1)", "1/(1 + exp(-(x*y)))"])
def test_both_orders_fuse(text: str) -> None:
    assert len(fuse(cgcli.parse(text)).fused) == 1


@pytest.mark.parametrize("text", ["2/(1+exp(-x))", "1/(1+exp(x))", "1/(2+exp(-x))", "1/(1-exp(-x))"])
def test_near_misses_do_not_fuse(text: str) -> None:
    assert fuse(cgcli.parse(text)).fused == set()


def test_fuse_in_the_table_and_json(runner) -> None:
    args = ["grad", "1/(1+exp(-(w*x)))", "w=2", "x=-1"]
    table = runner.invoke(cli, [*args, "--fuse"]).stdout
    assert "sigmoid (fused)" in table
    doc = json.loads(runner.invoke(cli, [*args, "--fuse", "--json"]).stdout)
    assert doc["nodes"][-1]["op"] == "sigmoid" and doc["nodes"][-1]["fused"] is True
    plain = json.loads(runner.invoke(cli, [*args, "--json"]).stdout)
    assert doc["gradient"] == pytest.approx(plain["gradient"], rel=1e-12)
    assert len(doc["nodes"]) < len(plain["nodes"])


LEAVES = st.sampled_from(["x", "y", "z", "0.5", "2", "pi"])


@st.composite
def expressions(draw: st.DrawFn, depth: int = 3) -> str:
    """Random expressions in which sigmoid patterns, spelled out, appear at random."""
    if depth == 0:
        return draw(LEAVES)
    inner = draw(expressions(depth=depth - 1))
    other = draw(expressions(depth=depth - 1))
    return draw(
        st.sampled_from(
            [
                f"1/(1+exp(-({inner})))",
                f"1/(exp(-({inner}))+1)",
                f"({inner}) * ({other})",
                f"({inner}) + ({other})",
                f"sin({inner})",
                inner,
            ]
        )
    )


@settings(max_examples=150, deadline=None)
@given(expressions(), st.floats(-2, 2), st.floats(-2, 2), st.floats(-2, 2))
# σ(x) + y with y = -0.5 near x = 0 cancels: the one-ulp difference between the fused sigmoid
# and the spelled-out one grows to 3.6e-12 of the small result (found by CI)
@example("(1/(1+exp(-(1/(1+exp(-(x))))))) * ((1/(1+exp(-(x)))) + (y))", -6.103515625e-05, -0.5, 0.0)
def test_fused_and_unfused_graphs_have_the_same_gradients(text: str, x: float, y: float, z: float) -> None:
    graph = cgcli.parse(text)
    point = {name: {"x": x, "y": y, "z": z}[name] for name in graph.variables}
    plain, fused = cgcli.evaluate(graph, point), cgcli.evaluate(fuse(graph), point)
    # rounding is relative to the largest value the computation went through, not to a
    # result that cancellation has made small
    scale = max(abs(v) for v in plain.value)
    assert fused.output == pytest.approx(plain.output, rel=1e-12, abs=1e-12 * scale)
    for name in graph.variables:
        assert fused.gradient[name] == pytest.approx(plain.gradient[name], rel=1e-9, abs=1e-12)
