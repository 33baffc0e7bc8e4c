"""``check`` warns about overflow on stderr, as ``grad`` does (SPEC.md)."""

from __future__ import annotations

import json

import pytest

from cgcli.cli import main
from cgcli.language.parser import parse
from cgcli.modes.check import check


def test_point_keeps_the_analytic_pass_warnings() -> None:
    report = check(parse("exp(x)"), {"x": 1000.0})
    assert any("overflow" in w for w in report.points[0].warnings)
    assert check(parse("exp(x)"), {"x": 1.0}).points[0].warnings == []


def test_overflow_is_warned_on_stderr_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "exp(x)", "--x=1000", "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.err.count("cgcli: warning: overflow") == 1
    assert json.loads(captured.out)["points"][0]["variables"]["x"]["analytic"] == "inf"


def test_no_warning_for_finite_points(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "exp(x)*y", "--random", "20", "--seed", "1"]) == 0
    assert "warning" not in capsys.readouterr().err
