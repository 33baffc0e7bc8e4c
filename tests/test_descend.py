"""``cgcli descend``: the update rule, stopping, failures mid-way, JSON, the plot and the options."""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from cgcli import evaluate, parse
from cgcli.cli import cli
from cgcli.errors import DomainError, EvaluationError, UsageError
from cgcli.modes.descend import MAX_STEPS, descend
from cgcli.present.descend_table import shown_steps
from cgcli.present.plot import LossPlot, log_scale, plot_lines

BOWL = "(x-3)^2"
NEURON = "(sigmoid(w0*x0+w1*x1+w2) - 1)^2"
LECTURE_POINT = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}
NEURON_ARGS = ["--w0=2", "--x0=-1", "--w1=-3", "--x1=-2", "--w2=-3", "--wrt", "w0,w1,w2"]


def descend_json(runner, *args: str, code: int = 0) -> dict:
    result = runner.invoke(cli, ["descend", *args, "--json"])
    assert result.exit_code == code, result.stderr
    return json.loads(result.stdout)


# -- the update rule -----------------------------------------------------------


def test_the_bowl_from_0_with_lr_0_1_is_3_minus_3_times_0_8_to_the_n() -> None:
    run = descend(parse(BOWL), {"x": 0}, lr=0.1, steps=60, tol=0)
    assert run.last == 60 and run.stopped == "steps"
    for n, (x,) in enumerate(run.points):
        assert abs(x - (3 - 3 * 0.8**n)) <= 1e-12, n
        assert abs(run.values[n] - (3 * 0.8**n) ** 2) <= 1e-12, n
        assert abs(run.gradients[n][0] - (-6 * 0.8**n)) <= 1e-12, n


def test_the_cli_json_gives_the_same_bowl(runner) -> None:
    doc = descend_json(runner, BOWL, "--x=0", "--lr", "0.1", "--steps", "30", "--tol", "0")
    for step in doc["steps"]:
        assert abs(step["point"]["x"] - (3 - 3 * 0.8 ** step["step"])) <= 1e-12


def test_a_step_is_the_point_minus_lr_times_the_engines_gradient() -> None:
    graph = parse(NEURON)
    run = descend(graph, LECTURE_POINT, ["w0", "w1", "w2"], lr=0.5, steps=3, tol=0)
    for k in range(3):
        here = run.point(k)
        gradient = evaluate(graph, here).gradient
        assert run.gradient(k) == {v: gradient[v] for v in ("w0", "w1", "w2")}
        after = run.point(k + 1)
        for v in ("w0", "w1", "w2"):
            assert after[v] == here[v] - 0.5 * gradient[v]


def test_one_graph_is_parsed_once_and_evaluated_once_a_step(runner, monkeypatch) -> None:
    import cgcli.cli.app
    import cgcli.modes.descend as mode

    calls = {"parse": 0, "forward": 0}

    def counted(name, real):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            calls[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(cgcli.cli.app, "parse", counted("parse", cgcli.cli.app.parse))
    monkeypatch.setattr(mode, "forward", counted("forward", mode.forward))
    result = runner.invoke(cli, ["descend", BOWL, "--x=0", "--steps", "7", "--tol", "0", "--json"])
    assert result.exit_code == 0 and calls == {"parse": 1, "forward": 8}


def test_the_first_gradient_matches_a_high_precision_difference() -> None:
    mpmath.mp.dps = 40

    def f(w0: mpmath.mpf, w1: mpmath.mpf, w2: mpmath.mpf) -> mpmath.mpf:
        return (1 / (1 + mpmath.exp(-(w0 * -1 + w1 * -2 + w2))) - 1) ** 2

    run = descend(parse(NEURON), LECTURE_POINT, ["w0", "w1", "w2"], steps=0)
    start = [mpmath.mpf(2), mpmath.mpf(-3), mpmath.mpf(-3)]
    for j, name in enumerate(("w0", "w1", "w2")):
        numeric = mpmath.diff(lambda t, j=j: f(*[t if i == j else s for i, s in enumerate(start)]), start[j])
        assert run.gradient(0)[name] == pytest.approx(float(numeric), rel=1e-12)


@settings(max_examples=50, deadline=None)
@given(
    a=st.floats(0.1, 10),
    c=st.floats(-5, 5),
    x0=st.floats(-5, 5),
    rate=st.floats(0.01, 0.99),
)
def test_a_quadratic_contracts_by_1_minus_2_a_lr_each_step(a: float, c: float, x0: float, rate: float) -> None:
    lr = rate / a  # 0 < 2·a·lr < 2: the run converges
    run = descend(parse(f"{a!r} * (x - {c!r})^2"), {"x": x0}, lr=lr, steps=20, tol=0)
    for n, (x,) in enumerate(run.points):
        assert x == pytest.approx(c + (x0 - c) * (1 - 2 * a * lr) ** n, abs=1e-9)


# -- --wrt -----------------------------------------------------------------


def test_wrt_keeps_the_other_variables_fixed(runner) -> None:
    doc = descend_json(runner, NEURON, *NEURON_ARGS, "--lr", "1", "--steps", "20")
    assert doc["wrt"] == ["w0", "w1", "w2"]
    for step in doc["steps"]:
        assert (step["point"]["x0"], step["point"]["x1"]) == (-1.0, -2.0)
        assert list(step["gradient"]) == ["w0", "w1", "w2"]
    assert doc["final"]["point"]["w0"] != 2.0 and doc["final"]["value"] < doc["steps"][0]["value"]


def test_wrt_defaults_to_every_variable_in_order_of_first_use() -> None:
    run = descend(parse("(x*y - 1)^2 + z^2"), {"z": 1, "y": 2, "x": 3})
    assert run.wrt == ["x", "y", "z"]


def test_wrt_is_given_in_any_order_and_kept_in_the_expressions() -> None:
    run = descend(parse(NEURON), LECTURE_POINT, ["w2", "w0"], steps=1)
    assert run.wrt == ["w0", "w2"] and run.point(1)["w1"] == -3.0


# -- stopping --------------------------------------------------------------


def test_it_converges_once_delta_f_and_the_gradient_fall_below_tol() -> None:
    tol = 1e-8
    run = descend(parse(BOWL), {"x": 0}, lr=0.1, steps=1000, tol=tol)
    assert run.converged and run.stopped == "converged"
    k = run.last
    assert abs(run.values[k] - run.values[k - 1]) < tol and run.norm(k) < tol
    # the first step where both hold: the one before failed one of the two
    assert not (abs(run.values[k - 1] - run.values[k - 2]) < tol and run.norm(k - 1) < tol)
    assert k == 91  # 6·0.8^k < 1e-8 first at k = 91


def test_tol_0_runs_every_step() -> None:
    run = descend(parse(BOWL), {"x": 0}, lr=0.5, steps=10, tol=0)
    assert run.last == 10 and not run.converged  # x = 3 exactly from step 1: Δf = 0 is not below 0


def test_steps_0_evaluates_only_the_start() -> None:
    run = descend(parse(BOWL), {"x": 0}, steps=0)
    assert run.values == [9.0] and run.points == [(0.0,)] and run.gradients == [(-6.0,)]


# -- failures mid-way --------------------------------------------------------


def test_divergence_exits_3_with_the_last_finite_step_in_the_json(runner) -> None:
    result = runner.invoke(cli, ["descend", BOWL, "--x=0", "--lr", "1.5", "--steps", "1000", "--json"])
    assert result.exit_code == 3
    doc = json.loads(result.stdout)
    assert doc["stopped"] == "not finite" and doc["converged"] is False
    last = doc["steps"][-1]
    assert all(isinstance(v, float) and math.isfinite(v) for v in (last["value"], *last["point"].values()))
    assert doc["final"] == {"value": last["value"], "point": last["point"]}
    # x - 3 doubles and flips sign each step: f = 9·4^k, and 9·4^k overflows after k = 510
    assert last["step"] == 510
    assert result.stderr == (
        "cgcli: error: step 511: the value is inf (overflow: (x - 3) ^ 2 (node 4) is inf, "
        f"from pow({-3 * (-2.0) ** 511!r}, 2)); the run ends at step 510, the last one kept\n"
    )


def test_a_gradient_that_stops_being_finite_ends_the_run() -> None:
    # sqrt(x) from 0.25 with lr 0.25: x = 0.25 - 0.25 = 0, where f is 0 but f' is inf
    run = descend(parse("sqrt(x)"), {"x": 0.25}, lr=0.25)
    assert run.stopped == "not finite" and run.last == 0
    assert run.error == (
        "step 1: the gradient is not finite (∂f/∂x = inf): sqrt(x) (node 1) has a local gradient of inf at 0; "
        "the run ends at step 0, the last one kept"
    )


def test_a_domain_error_mid_way_names_the_step_and_the_node(runner) -> None:
    # sqrt(x) from 1 with lr 1: x = 0.5, then 0.5 - 1/(2·sqrt 0.5) < 0
    result = runner.invoke(cli, ["descend", "sqrt(x)", "--x=1", "--lr", "1"])
    assert result.exit_code == 3
    assert result.stderr == (
        "cgcli: error: step 2: sqrt needs a non-negative argument: in sqrt(x) (node 1) "
        f"the argument is {0.5 - 1 / (2 * math.sqrt(0.5))!r}; the run ends at step 1, the last one kept\n"
    )
    assert "stopped at step 2 (domain error); the last good step is 1" in result.stdout


def test_a_start_outside_the_domain_is_the_engines_domain_error() -> None:
    with pytest.raises(DomainError):
        descend(parse("log(x)"), {"x": -1})
    with pytest.raises(EvaluationError, match=r"^step 0: the value is inf \(overflow: exp\(x\)"):
        descend(parse("exp(x)"), {"x": 1000})


# -- programs: the output's name -------------------------------------------------


def test_a_programs_output_name_is_used_everywhere(runner) -> None:
    program = "q = x - 3; L = q^2"
    result = runner.invoke(cli, ["descend", program, "--x=0", "--steps", "1", "--plot"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == ["q = x - 3", "L = q ^ 2", "descend along x: lr 0.1, tol 1e-08"]
    assert "┃ step ┃    L ┃   x ┃ ‖∇L‖ ┃" in lines and "L against the step (linear scale)" in lines
    assert lines[-3:] == ["not converged after 1 step: |ΔL| = 3.24, ‖∇L‖ = 4.8", "L = 5.76", "x = 0.6"]
    assert descend_json(runner, program, "--x=0", "--steps", "1")["output"] == "L"
    stopped = runner.invoke(cli, ["descend", "L = sqrt(x)", "--x=0.25", "--lr", "0.25"])
    assert stopped.exit_code == 3
    assert stopped.stderr.startswith("cgcli: error: step 1: the gradient is not finite (∂L/∂x = inf): L = sqrt(x)")


def test_a_value_for_a_defined_name_is_a_usage_error(runner) -> None:
    result = runner.invoke(cli, ["descend", "q = x - 3; L = q^2", "--x=0", "--q=1"])
    assert result.exit_code == 2 and "q is defined" in result.stderr


# -- JSON ----------------------------------------------------------------------


def test_the_json_shape(runner) -> None:
    doc = descend_json(runner, BOWL, "--x=0", "--steps", "2")
    assert list(doc) == ["expression", "output", "lr", "wrt", "converged", "steps", "final", "tol", "stopped"]
    assert (
        doc["expression"] == BOWL
        and doc["output"] == "f"
        and doc["lr"] == 0.1
        and doc["wrt"] == ["x"]
        and doc["converged"] is False
    )
    assert doc["steps"] == [
        {"step": 0, "value": 9.0, "point": {"x": 0.0}, "gradient": {"x": -6.0}},
        {"step": 1, "value": 5.76, "point": {"x": 0.6000000000000001}, "gradient": {"x": -4.8}},
        {"step": 2, "value": 3.6864, "point": {"x": 1.08}, "gradient": {"x": -3.84}},
    ]
    assert doc["final"] == {"value": 3.6864, "point": {"x": 1.08}}


def test_json_writes_non_finite_numbers_as_strings(runner) -> None:
    from cgcli.present.json import descend_json as document
    from cgcli.present.json import dumps

    run = descend(parse(BOWL), {"x": 0}, steps=0)
    run.values[0], run.gradients[0] = math.inf, (math.nan,)  # the library never keeps these; the writer copes
    text = dumps(document(run))
    assert '"value": "inf"' in text and '"gradient": {"x": "nan"}' in text
    json.loads(text)


# -- the table -------------------------------------------------------------------


@pytest.mark.parametrize(
    "last, rows",
    [(0, [0]), (3, [0, 1, 2, 3]), (10, list(range(11))), (91, [0, 9, 18, 27, 36, 46, 55, 64, 73, 82, 91])],
    ids=["start-only", "few", "eleven", "many"],
)
def test_the_table_shows_the_first_the_last_and_evenly_spaced_steps(last: int, rows: list[int]) -> None:
    assert shown_steps(last) == rows


def test_the_text_output(runner) -> None:
    result = runner.invoke(cli, ["descend", BOWL, "--x=0", "--steps", "3"])
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout == (
        "f = (x - 3) ^ 2\n"
        "descend along x: lr 0.1, tol 1e-08\n"
        "┏━━━━━━┳━━━━━━━━┳━━━━━━━┳━━━━━━━┓\n"
        "┃ step ┃      f ┃     x ┃  ‖∇f‖ ┃\n"
        "┡━━━━━━╇━━━━━━━━╇━━━━━━━╇━━━━━━━┩\n"
        "│    0 │      9 │     0 │     6 │\n"
        "│    1 │   5.76 │   0.6 │   4.8 │\n"
        "│    2 │ 3.6864 │  1.08 │  3.84 │\n"
        "│    3 │ 2.3593 │ 1.464 │ 3.072 │\n"
        "└──────┴────────┴───────┴───────┘\n"
        "not converged after 3 steps: |Δf| = 1.33, ‖∇f‖ = 3.07\n"
        "f = 2.3593\n"
        "x = 1.464\n"
    )


# -- the plot --------------------------------------------------------------------

PLOT_BOWL_20 = """\
f against the step (log scale)
        9 ┤⠉⠓⠲⠤⣄⣀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀
          │⠀⠀⠀⠀⠀⠈⠉⠓⠲⠤⣄⣀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀
          │⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠈⠙⠒⠦⢤⣀⡀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀
          │⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠉⠙⠒⠦⢤⣀⡀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀
          │⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠉⠙⠒⠦⢤⣀⡀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀
          │⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠉⠙⠲⠤⣄⣀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀
    0.104 ┤⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠈⠙⠒⠦⢤⣀⡀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀
          │⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠉⠙⠒⠦⢤⣀⡀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀
          │⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠉⠙⠒⠦⢤⣀⡀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀
          │⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠉⠙⠒⠦⢤⣀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀
          │⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠈⠉⠓⠲⠤⣄⣀⠀⠀⠀⠀⠀
   0.0012 ┤⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠈⠉⠓⠲⠤⣄
          └─────────────────────────────────────────────────────────────────────
           0                               step                               20
"""


def fixed_console(width: int) -> Console:
    return Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)


def test_the_plot_at_80_columns_exactly() -> None:
    run = descend(parse(BOWL), {"x": 0}, lr=0.1, steps=20, tol=0)
    console = fixed_console(80)
    console.print(LossPlot(run.values))
    assert console.file.getvalue() == PLOT_BOWL_20  # type: ignore[attr-defined]


@pytest.mark.parametrize("width", [80, 200, 100_000])
def test_the_plot_is_at_most_80_columns_wide(width: int) -> None:
    console = fixed_console(width)
    console.print(LossPlot([9 * 0.64**n for n in range(500)]))
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert max(map(len, lines)) == 80 and len(lines) == 15


def test_the_plot_fits_a_narrow_console() -> None:
    assert max(map(len, plot_lines([1, 2, 3], width=50))) <= 50


@pytest.mark.parametrize(
    "values, log",
    [
        ([9, 0.09], True),  # two decades
        ([9, 0.1], False),  # less than a factor of 100
        ([9, 0.0], False),  # a zero cannot go on a log axis
        ([-5, -1e-9], False),  # nor can a negative f
        ([1e300, 1e-300], True),
    ],
    ids=["decades", "one-decade", "zero", "negative", "huge-span"],
)
def test_the_axis_is_logarithmic_when_positive_f_spans_decades(values: list[float], log: bool) -> None:
    assert log_scale(values) is log
    assert ("log scale" in plot_lines(values)[0]) is log


def test_a_negative_f_is_drawn_on_a_linear_axis_with_its_labels() -> None:
    lines = plot_lines([-n for n in range(10)])
    assert lines[1].startswith("        0 ┤") and lines[12].startswith("       -9 ┤")


def test_a_flat_run_is_one_line_across_the_middle() -> None:
    lines = plot_lines([2.0, 2.0, 2.0])
    assert lines[7].startswith("        2 ┤⠉⠉") and all("⠀" * 60 in line for line in lines[1:7])


def test_the_plot_is_shown_only_when_asked_or_on_a_terminal(runner) -> None:
    piped = runner.invoke(cli, ["descend", BOWL, "--x=0"])
    plotted = runner.invoke(cli, ["descend", BOWL, "--x=0", "--plot"])
    assert "against the step" not in piped.stdout and "f against the step (log scale)" in plotted.stdout
    assert piped.stdout.splitlines()[:15] == plotted.stdout.splitlines()[:15]  # the same table before it


# -- options -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["--lr", "0"], "Invalid value for '--lr': 0.0 is not in the range x>0."),
        (["--lr", "-0.1"], "Invalid value for '--lr': -0.1 is not in the range x>0."),
        (["--lr", "inf"], "Invalid value for '--lr': 'inf' is not a finite number"),
        (["--steps", "-1"], f"Invalid value for '--steps': -1 is not in the range 0<=x<={MAX_STEPS}."),
        (["--steps", "1.5"], "Invalid value for '--steps': '1.5' is not a valid integer range."),
        (["--tol", "-1"], "Invalid value for '--tol': -1.0 is not in the range x>=0."),
        (["--wrt", "w0,q"], "--wrt names q, which the expression does not use (it uses w0, x0, w1, x1, w2)"),
        (["--wrt", ","], "--wrt names no variable"),
        (["--json", "--plot"], "--plot draws beside the table; --json prints no plot"),
    ],
    ids=[
        "lr-0",
        "lr-negative",
        "lr-inf",
        "steps-negative",
        "steps-float",
        "tol-negative",
        "wrt-unknown",
        "wrt-empty",
        "json-plot",
    ],
)
def test_bad_options_exit_2_with_one_message(runner, args: list[str], message: str) -> None:
    result = runner.invoke(cli, ["descend", NEURON, "--w0=2", "--x0=-1", "--w1=-3", "--x1=-2", "--w2=-3", *args])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"cgcli: error: {message}\n"


def test_a_missing_value_is_a_usage_error_as_for_grad(runner) -> None:
    result = runner.invoke(cli, ["descend", NEURON, "--w0=2", "--x0=-1", "--w1=-3", "--x1=-2"])
    assert result.exit_code == 2 and result.stderr == "cgcli: error: missing value for w2: add --w2=VALUE\n"


def test_the_library_checks_its_arguments_too() -> None:
    graph = parse(BOWL)
    for kwargs in ({"lr": 0.0}, {"lr": math.nan}, {"steps": -1}, {"steps": MAX_STEPS + 1}, {"tol": -1.0}):
        with pytest.raises(UsageError):
            descend(graph, {"x": 0}, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="no variables"):
        descend(parse("2 + 3"), {})


def test_help_shows_the_defaults(runner) -> None:
    text = runner.invoke(cli, ["descend", "--help"]).stdout
    assert "[default: 0.1; x>0]" in text and "[default: 100;" in text and "[default: 1e-08; x>=0]" in text


# -- as a real process ---------------------------------------------------------------


def run_process(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "cgcli", "descend", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_process_into_a_pipe_prints_the_table_and_no_plot() -> None:
    done = run_process(NEURON, *NEURON_ARGS, "--lr", "1")
    assert done.returncode == 0 and done.stderr == ""
    assert "┃ step ┃" in done.stdout and "against the step" not in done.stdout and "\x1b[" not in done.stdout


def test_process_divergence_exits_3_with_one_message_and_the_json() -> None:
    done = run_process(BOWL, "--x=0", "--lr", "1.5", "--steps", "1000", "--json")
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert done.stderr.startswith("cgcli: error: step 511: the value is inf") and done.stderr.count("\n") == 1
    assert json.loads(done.stdout)["steps"][-1]["step"] == 510


# -- many variables ------------------------------------------------------------------


def test_many_variables_keep_the_table_and_the_messages_short(runner) -> None:
    n = 3000
    expression = " + ".join(f"(x{i} - {i % 7})^2" for i in range(n))
    values = [f"x{i}=0" for i in range(n)]
    result = runner.invoke(cli, ["descend", expression, *values, "--steps", "2"])
    assert result.exit_code == 0, result.stderr
    header = next(line for line in result.stdout.splitlines() if line.startswith("┃ step"))
    assert "x5 ┃ … 2,994 more ┃" in header and "x6 " not in header
    assert "descend along x0, x1, x2, x3, x4, x5, x6, x7, x8, x9 … and 2,990 more: lr 0.1" in result.stdout
    wrong = runner.invoke(cli, ["descend", expression, *values, "--wrt", "x1,q"])
    assert wrong.exit_code == 2
    assert wrong.stderr.endswith("(it uses x0, x1, x2, x3, x4, x5, x6, x7, x8, x9 … and 2,990 more)\n")
