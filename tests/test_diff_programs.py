"""diff and programs: each derivative's ``program`` round-trips through ``cgcli grad``,
and a program's own names (q = x + y) stay names in the derivatives."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

import cgcli
from cgcli.cli import cli
from cgcli.modes.diff import differentiate
from cgcli.present.diff_json import diff_json
from cgcli.present.diff_text import diff_text

from .diffkit import close
from .test_diff_ops import CASES, ROWS, _points


def program_value(program: str, point: dict[str, float]) -> float:
    """What ``cgcli grad PROGRAM`` computes, given the variables the program uses."""
    graph = cgcli.parse(program)
    return cgcli.evaluate(graph, {k: v for k, v in point.items() if k in graph.variables}).output


@pytest.mark.parametrize("key, expression", ROWS, ids=[f"{k}:{t}" for k, t in ROWS])
def test_every_program_gives_grads_number(key: str, expression: str) -> None:
    graph = cgcli.parse(expression)
    document = diff_json(differentiate(graph))
    for point in _points(CASES[key][1], expression):
        point = {k: v for k, v in point.items() if k in graph.variables}
        expected = cgcli.evaluate(graph, point).gradient
        for v, entry in document["derivatives"].items():
            assert close(program_value(entry["program"], point), expected[v]), (entry, point)


def test_hessian_programs_round_trip() -> None:
    graph = cgcli.parse("sigmoid(w*x + b) * x^2")
    document = diff_json(differentiate(graph, hessian=True, point={"w": 0.7, "x": -1.3, "b": 0.2}))
    for u, row in document["hessian"].items():
        for v, entry in row.items():
            assert close(program_value(entry["program"], {"w": 0.7, "x": -1.3, "b": 0.2}), entry["value"]), (u, v)


def test_cgcli_grad_runs_the_program() -> None:
    point = ["w0=2", "x0=-1", "w1=-3", "x1=-2", "w2=-3"]
    args = ["diff", "1/(1+exp(-(w0*x0+w1*x1+w2)))", "--json", *point]
    document = json.loads(CliRunner().invoke(cli, args).output)
    entry = document["derivatives"]["w0"]
    uses = cgcli.parse(entry["program"]).variables
    done = subprocess.run(
        [sys.executable, "-m", "cgcli", "grad", entry["program"], *(p for p in point if p.split("=")[0] in uses)]
        + ["--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(done.stdout)["value"] == entry["value"] == pytest.approx(-0.1966119332, abs=1e-10)


def test_the_lecture_program_keeps_its_names() -> None:
    out = CliRunner().invoke(cli, ["diff", "q = x + y; f = q * z"]).output
    assert out == "q = x + y\n∂f/∂x = z\n∂f/∂y = z\n∂f/∂z = q\n"


def test_the_output_name_labels_the_derivatives() -> None:
    d = differentiate(cgcli.parse("s = w*x + b\nL = sigmoid(s)"))
    text = diff_text(d)
    assert d.output == "L"
    assert text.splitlines() == [
        "s = w * x + b",
        "L = sigmoid(s)",
        "t1 = L * (1 - L)",
        "∂L/∂w = t1 * x",
        "∂L/∂x = t1 * w",
        "∂L/∂b = t1",
    ]
    assert diff_json(d)["output"] == "L"


def test_fresh_names_avoid_the_programs_names() -> None:
    d = differentiate(cgcli.parse("t1 = x*y; t2 = sigmoid(t1 + x); t2 * t2"))
    names = list(d.shared.values())
    assert len(names) == len(set(names))
    text = diff_text(d)
    statements = [line for line in text.splitlines() if not line.startswith("∂")]
    for line in text.splitlines():
        if line.startswith("∂"):
            program = "\n".join([*statements, line.split(" = ", 1)[1]])
            assert cgcli.parse(program).variables.keys() <= {"x", "y"}
