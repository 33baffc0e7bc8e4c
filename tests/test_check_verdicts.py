"""``check``'s table says what decided each verdict: the bands, the kink rule, round-off, or an infinite derivative."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import cgcli
from cgcli.cli import cli
from cgcli.modes.check import check


def table_row(stdout: str) -> list[str]:
    row = next(line for line in stdout.splitlines() if line.startswith("│ x"))
    return [cell.strip() for cell in row.split("│")[1:-1]]


@pytest.mark.parametrize(
    "args, band, verdict, summary_end",
    [
        (
            ["sin(x)", "x=1.5707963267948966"],
            "(round-off)",
            "ok: difference within round-off",
            "worst rel_error 1 for x at x=1.5708 (judged by the round-off rule, not the bands)",
        ),
        (
            ["relu(x)", "x=1e-7"],
            "(kink)",
            "kink: between one-sided 0.01 and 1",
            "worst rel_error 0.49 for x at x=1e-07 (judged by the kink rule, not the bands)",
        ),
        (
            ["sqrt(x)", "x=0"],
            "(not finite)",
            "ok: the derivative is infinite here: differences 12928.9 at h=1e-08, 129289 at h=1e-10",
            "worst rel_error inf for x at x=0 (the gradient is not finite there)",
        ),
        (["x*x", "x=3"], "good", "ok", "worst rel_error 6.6e-12 for x at x=3"),
    ],
    ids=["round-off", "kink", "infinite", "band"],
)
def test_the_band_column_says_what_decided(runner, args: list[str], band: str, verdict: str, summary_end: str) -> None:
    result = runner.invoke(cli, ["check", *args])
    assert result.exit_code == 0, result.stdout
    cells = table_row(result.stdout)
    assert cells[4:] == [band, verdict]
    assert "wrong" not in result.stdout
    assert result.stdout.splitlines()[-1].endswith(summary_end)


def test_a_wrong_band_still_says_wrong(runner, monkeypatch) -> None:
    import dataclasses

    from cgcli.core.graph import Graph
    from cgcli.core.ops import OPS

    graph = Graph()
    graph.apply(dataclasses.replace(OPS["sin"], local=lambda y, a: (2.0,)), graph.variable("x"))
    report = check(graph, {"x": 0.5})
    assert not report.ok
    assert report.points[0].variables["x"].decided_by == "band"


@pytest.mark.parametrize("text", ["sqrt(x)", "0 - sqrt(x)", "sqrt(x) + x", "asin(x)"])
def test_an_infinite_derivative_passes_when_the_differences_grow_toward_it(text: str) -> None:
    point = {"x": 1.0 if "asin" in text else 0.0}
    v = check(cgcli.parse(text), point).points[0].variables["x"]
    assert v.ok and v.infinite and v.decided_by == "not finite"


def test_an_infinite_gradient_whose_differences_do_not_grow_fails() -> None:
    import dataclasses

    from cgcli.core.graph import Graph
    from cgcli.core.ops import OPS

    graph = Graph()
    graph.apply(dataclasses.replace(OPS["sin"], local=lambda y, a: (float("inf"),)), graph.variable("x"))
    report = check(graph, {"x": 0.5})
    v = report.points[0].variables["x"]
    assert not report.ok and not v.infinite


def test_a_nan_gradient_fails_and_says_so(runner) -> None:
    result = runner.invoke(cli, ["check", "sqrt(x-x)*0 + x", "x=1"])
    assert result.exit_code == 1
    assert table_row(result.stdout)[4:] == ["(not finite)", "FAIL: the analytic gradient is nan"]


def test_json_says_what_decided(runner) -> None:
    doc = json.loads(runner.invoke(cli, ["check", "sqrt(x)", "x=0", "--json"]).stdout)
    row = doc["points"][0]["variables"]["x"]
    assert (doc["ok"], row["ok"], row["decided_by"], row["analytic"]) == (True, True, "not finite", "inf")
    doc = json.loads(runner.invoke(cli, ["check", "relu(x)", "x=1e-7", "--json"]).stdout)
    assert doc["points"][0]["variables"]["x"]["decided_by"] == "kink"


def test_nothing_to_check(runner) -> None:
    result = runner.invoke(cli, ["check", "3"])
    assert (result.exit_code, result.stdout) == (
        0,
        "nothing to check: the expression has no variables, so it has no gradient\n",
    )


def test_sqrt_at_zero_exits_0_as_a_process() -> None:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}  # into a pipe: one line a row
    done = subprocess.run(
        [sys.executable, "-m", "cgcli", "check", "sqrt(x)", "x=0"], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0
    assert "ok: the derivative is infinite here" in done.stdout
