"""`cgcli check`: numeric against analytic gradients, kinks, random points, JSON, exit codes."""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys

import pytest

import cgcli
from cgcli.cli import cli
from cgcli.core.graph import Graph
from cgcli.core.ops import OPS
from cgcli.modes.check import band, check, relative_error

from .conftest import LECTURE


@pytest.mark.parametrize("name", LECTURE, ids=list(LECTURE))
@pytest.mark.parametrize("method, bound", [("central", 1e-7), ("complex", 1e-13)])
def test_lecture_examples_pass(name: str, method: str, bound: float) -> None:
    text, point, _, _ = LECTURE[name]
    report = check(cgcli.parse(text), point, method=method)
    assert report.ok
    for v in report.points[0].variables.values():
        assert v.rel_error < bound and not v.kink and v.band == "good"


def test_a_wrong_local_gradient_is_caught_and_named(runner, monkeypatch) -> None:
    """Break mul's switcher rule (send each input itself, not the other) and watch check fail."""
    graph = Graph(source="(x+y)*z")
    total = graph.apply(OPS["add"], graph.variable("x"), graph.variable("y"))
    graph.apply(dataclasses.replace(OPS["mul"], local=lambda y, a, b: (a, b)), total, graph.variable("z"))
    report = check(graph, {"x": -2.0, "y": 5.0, "z": -4.0})
    assert not report.ok
    bad = {name for name, v in report.points[0].variables.items() if not v.ok}
    assert bad == {"x", "y", "z"}
    assert report.points[0].variables["x"].band == "wrong"
    # and through the CLI: parse hands out the broken graph; exit 1 and the variable named
    monkeypatch.setattr("cgcli.cli.app.parse", lambda text: graph)
    result = runner.invoke(cli, ["check", "(x+y)*z", "x=-2", "y=5", "z=-4"])
    assert result.exit_code == 1
    assert "FAILED: checked 1 point" in result.stdout
    assert any(
        line.split("│")[1].strip() == "x" and "FAIL" in line for line in result.stdout.splitlines() if "│" in line
    )


def test_a_wrong_op_row_is_caught_everywhere_it_is_used(monkeypatch) -> None:
    """sin's local gradient replaced by -cos: every expression using sin fails at a generic point."""
    wrong = dataclasses.replace(cgcli.core.ops.OPS["sin"], local=lambda y, a: (-math.cos(a),))
    monkeypatch.setitem(cgcli.core.ops.FUNCTIONS, "sin", wrong)
    assert not check(cgcli.parse("sin(x) * y"), {"x": 0.3, "y": 2.0}).ok
    assert check(cgcli.parse("cos(x) * y"), {"x": 0.3, "y": 2.0}).ok


@pytest.mark.parametrize(
    "text, point, kinked",
    [("relu(x)", {"x": 0.0}, {"x"}), ("abs(x)", {"x": 0.0}, {"x"}), ("max(x, y)", {"x": 1.5, "y": 1.5}, {"x", "y"})],
    ids=["relu-0", "abs-0", "max-tie"],
)
@pytest.mark.parametrize("method", ["central", "complex"])
def test_kinks_pass_between_the_one_sided_differences(text: str, point: dict, kinked: set, method: str) -> None:
    report = check(cgcli.parse(text), point, method=method)
    assert report.ok
    variables = report.points[0].variables
    assert {name for name, v in variables.items() if v.kink} == kinked
    for name in kinked:
        v = variables[name]
        assert v.left is not None and v.right is not None
        assert min(v.left, v.right) <= v.analytic <= max(v.left, v.right)


def test_a_kink_within_h_but_not_at_the_point() -> None:
    v = check(cgcli.parse("relu(x)"), {"x": 3e-6}).points[0].variables["x"]
    assert v.kink and v.ok and v.rel_error > 1e-2  # the centred difference alone would say "wrong"


def test_a_wrong_subgradient_at_a_kink_still_fails() -> None:
    graph = Graph(source="relu(x)")
    graph.apply(dataclasses.replace(OPS["relu"], local=lambda y, a: (2.0,)), graph.variable("x"))
    v = check(graph, {"x": 0.0}).points[0].variables["x"]
    assert v.kink and not v.ok


def test_a_zero_gradient_passes_despite_round_off() -> None:
    """cos(x) at π/2 ... sin'(π/2) is ~6e-17 analytically; the difference quotient is round-off."""
    v = check(cgcli.parse("sin(x)"), {"x": math.pi / 2}).points[0].variables["x"]
    assert v.ok and v.noise


def test_near_the_edge_of_the_domain_h_shrinks() -> None:
    v = check(cgcli.parse("log(x)"), {"x": 3e-6}).points[0].variables["x"]
    assert v.near_edge and not v.one_sided and v.h == pytest.approx(1e-7) and v.rel_error < 1e-3


def test_one_sided_difference_where_one_side_never_fits() -> None:
    """sqrt(x) at 0: x - h is outside the domain however small h; the gradient is inf."""
    v = check(cgcli.parse("sqrt(x) + x"), {"x": 0.0}).points[0].variables["x"]
    assert v.near_edge and v.one_sided and v.analytic == math.inf


@pytest.mark.parametrize(
    "rel, expected",
    [(0.5, "wrong"), (1e-3, "uncomfortable"), (1e-5, "fine only at kinks"), (1e-8, "good"), (0.0, "good")],
)
def test_cs231n_bands(rel: float, expected: str) -> None:
    assert band(rel) == expected


def test_relative_error_is_zero_when_both_are_zero() -> None:
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(1.0, 3.0) == pytest.approx(2 / 3)
    assert relative_error(math.inf, 1e6) == math.inf and relative_error(math.inf, math.inf) == 0.0


def test_random_points_are_reproducible_and_respect_fixed_variables() -> None:
    graph = cgcli.parse("log(x) * y + max(x, z)")
    first = check(graph, {"y": 2.0}, samples=20, seed=7, value_range=(-1.0, 3.0))
    again = check(graph, {"y": 2.0}, samples=20, seed=7, value_range=(-1.0, 3.0))
    other = check(graph, {"y": 2.0}, samples=20, seed=8, value_range=(-1.0, 3.0))
    assert [p.at for p in first.points] == [p.at for p in again.points] != [p.at for p in other.points]
    assert len(first.points) == 20 and first.ok
    assert all(p.at["y"] == 2.0 and -1.0 <= p.at["z"] < 3.0 and 0 < p.at["x"] < 3.0 for p in first.points)
    assert first.redrawn > 0  # log(x) for x <= 0 was drawn again, not a crash


def test_check_json_shape(runner) -> None:
    result = runner.invoke(cli, ["check", "x*x", "x=-2", "--json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert list(doc)[:5] == ["expression", "ok", "step", "tolerance", "points"]
    assert doc["expression"] == "x*x" and doc["ok"] is True and doc["step"] == 1e-5 and doc["tolerance"] == 1e-6
    (point,) = doc["points"]
    assert point["at"] == {"x": -2.0} and point["value"] == 4.0
    x = point["variables"]["x"]
    assert {"analytic", "numeric", "rel_error", "ok", "kink"} <= set(x)
    assert x["analytic"] == -4.0 and x["numeric"] == pytest.approx(-4.0) and x["ok"] is True and x["kink"] is False


@pytest.mark.parametrize(
    "args, code, text",
    [
        (["check", "x*x", "x=3"], 0, "ok: checked 1 point (central); 0 failed; worst rel_error"),
        (["check", "relu(x)", "x=0"], 0, "kink: between one-sided 0 and 1"),
        (["check", "x*y", "--random", "5", "--seed", "3"], 0, "ok: checked 5 points"),
        (["check", "x*x", "x=3", "--tol", "-1"], 2, "--tol"),
        (["check", "x*x", "x=3", "--step", "nan", "--json"], 2, "not a finite number"),
        (["check", "x*x", "--random", "10000000000"], 2, "--random"),
        (["check", "x*x", "x=3", "--method", "forward"], 2, "--method"),
        (["check", "x*x", "--random", "2", "--range", "3:1"], 2, "LO:HI"),
        (["check", "x*y", "x=1"], 2, "missing value for y"),
        (["check", "log(x)", "x=-1"], 3, "log needs a positive argument"),
        (["check", "sqrt(x-9)", "--random", "2"], 3, "no random point inside the domain"),
    ],
    ids=[
        "ok",
        "kink",
        "random",
        "bad-tol",
        "nan-step",
        "huge-random",
        "bad-method",
        "bad-range",
        "missing",
        "domain",
        "no-domain",
    ],
)
def test_check_cli(runner, args: list[str], code: int, text: str) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code == code, result.output
    assert text in (result.stdout if code in (0, 1) else result.stderr)


def test_check_as_a_process_gates_ci() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cgcli",
            "check",
            "1/(1+exp(-(w0*x0+w1*x1+w2)))",
            "w0=2",
            "x0=-1",
            "w1=-3",
            "x1=-2",
            "w2=-3",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.count(" good ") == 5
