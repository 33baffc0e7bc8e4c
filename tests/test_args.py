"""Variables on the command line and from ``--at FILE``: the hints a slip gets, and the values a value may be."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cgcli.cli import cli


@pytest.mark.parametrize(
    "args, message",
    [
        (["grad", "x", "X=2"], "the expression uses x, not X: did you mean x=2? (names are case-sensitive)"),
        (["grad", "x+Y", "x=2", "y=3"], "the expression uses Y, not y: did you mean Y=3? (names are case-sensitive)"),
        (["grad", "xy", "x=1", "y=2"], "missing value for xy: did you mean x*y? (write * between factors)"),
        (["grad", "w0x0+1", "w0=1", "x0=2"], "missing value for w0x0: did you mean w0*x0? (write * between factors)"),
        (["grad", "digits*2"], "missing value for digits: add --var digits=VALUE (--digits is an option)"),
        (
            ["grad", "points+seed+x"],
            "missing value for points, seed, x: add --var points=VALUE --seed=VALUE --x=VALUE (--points is an option)",
        ),
        (
            ["check", "seed*digits"],
            "missing value for seed, digits: add --var seed=VALUE --var digits=VALUE, or --random N to draw random"
            " values (--seed, --digits are an option)",
        ),
        (["grad", "PI*x", "x=1"], "missing value for PI: add --PI=VALUE (or did you mean the constant pi?)"),
        (["check", "x"], "missing value for x: add --x=VALUE, or --random N to draw random values"),
        (["graph", "x*y", "x=1"], "missing value for y: add --y=VALUE"),
        (["grad", "x*y*z", "x=1"], "missing value for y, z: add --y=VALUE --z=VALUE"),
        (["grad", "x", "x=1", "y=2"], "the expression does not use y (it uses x)"),
        (["check", "x", "y=1", "--random", "2"], "the expression does not use y (it uses x)"),
        (
            ["grad", "x", "x=pi"],
            "the value of x must be a decimal number such as -2, 0.5 or 1e-3, not 'pi'"
            " (write 3.141592653589793: a value is a number, not an expression)",
        ),
        (
            ["grad", "x", "x=1/3"],
            "the value of x must be a decimal number such as -2, 0.5 or 1e-3, not '1/3'"
            " (write 0.3333333333333333: a value is a number, not an expression)",
        ),
        (
            ["grad", "x", "x=-e"],
            "the value of x must be a decimal number such as -2, 0.5 or 1e-3, not '-e'"
            " (write -2.718281828459045: a value is a number, not an expression)",
        ),
        (["grad", "x", "x=abc"], "the value of x must be a decimal number such as -2, 0.5 or 1e-3, not 'abc'"),
        (["grad", "x", "--var"], "--var needs NAME=VALUE, as in --var x=1.5"),
    ],
)
def test_usage_errors_say_what_was_meant(runner, args: list[str], message: str) -> None:
    result = runner.invoke(cli, args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"cgcli: error: {message}\n")


def test_a_variable_named_like_an_option_works_with_var(runner) -> None:
    result = runner.invoke(cli, ["grad", "digits*2", "--var", "digits=3", "--json"])
    assert json.loads(result.stdout)["gradient"] == {"digits": 2.0}


def test_check_random_draws_what_is_not_given(runner) -> None:
    result = runner.invoke(cli, ["check", "x*y", "x=1", "--random", "3", "--json"])
    assert result.exit_code == 0
    assert [p["at"]["x"] for p in json.loads(result.stdout)["points"]] == [1.0, 1.0, 1.0]


def test_graph_without_values_shows_the_structure(runner) -> None:
    assert runner.invoke(cli, ["graph", "x*y"]).exit_code == 0


def test_underflow_to_zero_is_a_warning(runner) -> None:
    result = runner.invoke(cli, ["grad", "x", "x=1e-400", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["value"] == 0.0
    assert result.stderr == (
        "cgcli: warning: the value of x, 1e-400, is below the smallest double (about 5e-324) and is taken as 0\n"
    )


@pytest.mark.parametrize("value", ["0", "0e-400", "-0.0", "1e-320"])
def test_zero_and_subnormals_are_no_underflow(runner, value: str) -> None:
    result = runner.invoke(cli, ["grad", "x", f"x={value}", "--json"])
    assert result.exit_code == 0 and result.stderr == ""


# -- --at FILE ---------------------------------------------------------------


def test_at_file_gives_the_values(runner, tmp_path: Path) -> None:
    at = tmp_path / "at.json"
    at.write_text('{"x": -2, "y": 5, "z": -4}', encoding="utf-8")
    for command in (["grad", "--json"], ["check", "--json"], ["graph", "--format", "dot"]):
        result = runner.invoke(cli, [*command, "(x+y)*z", "--at", str(at)])
        assert result.exit_code == 0, (command, result.stderr)
    doc = json.loads(runner.invoke(cli, ["grad", "(x+y)*z", "--at", str(at), "--json"]).stdout)
    assert doc["gradient"] == {"x": -4.0, "y": -4.0, "z": 3.0}


def test_options_are_merged_over_at(runner) -> None:
    result = runner.invoke(cli, ["grad", "(x+y)*z", "--at", "-", "z=2", "--x=1", "--json"], input='{"x": -2, "y": 5}')
    doc = json.loads(result.stdout)
    assert doc["gradient"] == {"x": 2.0, "y": 2.0, "z": 6.0}


@pytest.mark.parametrize(
    "text, message",
    [
        ("[1, 2]", '--at standard input must hold one JSON object of values, as in {"x": -2, "y": 5}'),
        ('{"x": 1', "--at standard input is not JSON: Expecting ',' delimiter at line 1, column 8"),
        ('{"x": NaN}', "--at: NaN is not a value (a value is a finite number)"),
        ('{"x": "2"}', '--at standard input: the value of x must be a number, not "2"'),
        ('{"x": true}', "--at standard input: the value of x must be a number, not true"),
        ('{"x": 1e999}', "the value of x, 1e999, overflows a double (the largest is about 1.8e308)"),
        ('{"x": 1, "x": 2}', "--at: two different values for x: 1 and 2"),
        ('{"pi": 3}', "--at standard input: pi is a constant and takes no value"),
        ('{"x y": 3}', "--at standard input: 'x y' is not a variable name"),
        ('{"x": 1, "q": 2}', "the expression does not use q (it uses x)"),
        ("", "--at standard input is not JSON: Expecting value at line 1, column 1"),
    ],
)
def test_bad_at_documents(runner, text: str, message: str) -> None:
    result = runner.invoke(cli, ["grad", "x", "--at", "-"], input=text)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"cgcli: error: {message}\n")


def test_at_and_the_expression_cannot_share_stdin(runner) -> None:
    result = runner.invoke(cli, ["grad", "-", "--at", "-"], input="x")
    assert result.stderr == "cgcli: error: the expression and --at cannot both come from standard input\n"


def test_at_refuses_points(runner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["grad", "x", "--at", "-", "--points", "-"], input='{"x": 1}')
    assert result.exit_code == 2 and "drop the variables given as options or --at" in result.stderr


def test_a_missing_at_file(runner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["grad", "x", "--at", str(tmp_path / "none.json")])
    assert result.stderr == f"cgcli: error: cannot read --at {tmp_path / 'none.json'}: No such file or directory\n"


def test_at_from_a_pipe_with_more_variables_than_a_command_line_holds(tmp_path: Path) -> None:
    """150,000 variables: more than Linux's 2 MB of argv holds (SPEC.md: --at is for such points)."""
    n = 150_000
    names = [f"v{i}" for i in range(n)]
    expression = tmp_path / "sum.txt"
    expression.write_text("+".join(names), encoding="utf-8")
    values = json.dumps({name: 1 for name in names})
    done = subprocess.run(
        [sys.executable, "-m", "cgcli", "grad", f"@{expression}", "--at", "-", "--json"],
        input=values,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert json.loads(done.stdout)["value"] == float(n)


def test_many_variables_as_arguments_in_a_process(tmp_path: Path) -> None:
    n = 20_000
    names = [f"v{i}" for i in range(n)]
    expression = tmp_path / "sum.txt"
    expression.write_text("+".join(names), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "cgcli", "grad", f"@{expression}", *(f"{name}=2" for name in names), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert json.loads(done.stdout)["value"] == 2.0 * n
