"""100,000-deep expressions: nothing recurses, so nothing overflows the stack."""

from __future__ import annotations

import math

import pytest

import cgcli
from cgcli.cli import cli
from cgcli.core.graph import TEXT_LIMIT

DEPTH = 100_000


def test_a_chain_of_100000_sines() -> None:
    graph = cgcli.parse("sin(" * DEPTH + "x" + ")" * DEPTH)
    assert len(graph) == DEPTH + 1
    result = cgcli.evaluate(graph, {"x": 0.5})
    # reference: the same chain as a loop, and the chain rule as a running product
    v, d = 0.5, 1.0
    for _ in range(DEPTH):
        v, d = math.sin(v), d * math.cos(v)
    assert result.output == pytest.approx(v, rel=1e-12)
    assert result.gradient["x"] == pytest.approx(d, rel=1e-9)
    assert cgcli.to_text(graph).startswith("sin(sin(")
    # a sub-expression longer than TEXT_LIMIT is shown by its id, so texts stay short
    shown = graph.text(graph.output)
    assert shown.startswith("sin(sin(") and "#" in shown and len(shown) < 2 * TEXT_LIMIT


def test_100000_nested_parentheses() -> None:
    graph = cgcli.parse("(" * DEPTH + "x*2" + ")" * DEPTH)
    assert cgcli.evaluate(graph, {"x": 3.0}).gradient == {"x": 2.0}


def test_100000_unary_minuses_and_a_long_sum() -> None:
    assert cgcli.evaluate(cgcli.parse("-" * DEPTH + "x"), {"x": 2.0}).gradient == {"x": 1.0}
    assert cgcli.evaluate(cgcli.parse("x" + "+x" * DEPTH), {"x": 2.0}).gradient == {"x": DEPTH + 1.0}


def test_a_deep_expression_through_the_cli(runner) -> None:
    depth = 20_000
    result = runner.invoke(cli, ["grad", "-", "x=1", "--json"], input="(" * depth + "x" + ")" * depth)
    assert result.exit_code == 0, result.stderr
