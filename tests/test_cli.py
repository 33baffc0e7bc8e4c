"""The command line: argument forms, input sources, output modes, errors and exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cgcli
from cgcli.cli import cli, main

ADD_MUL = "(x+y)*z"


def grad_json(runner, *args: str, input: str | None = None) -> dict:
    result = runner.invoke(cli, ["grad", *args, "--json"], input=input)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "args",
    [
        [ADD_MUL, "--x=-2", "--y=5", "--z=-4"],
        [ADD_MUL, "--x", "-2", "--y", "5", "--z", "-4"],
        [ADD_MUL, "x=-2", "y=5", "z=-4"],
        [ADD_MUL, "--var", "x=-2", "--var", "y=5", "--var", "z=-4"],
        ["--x=-2", ADD_MUL, "y=5", "--z", "-4"],
        ["--", ADD_MUL, "x=-2", "y=5", "z=-4"],
        [ADD_MUL, "--x=-2", "--x=-2.0", "--y=5", "--z=-4"],  # the same value twice is no conflict
        [ADD_MUL, "--x=−2", "--y=5", "--z=-4"],  # a pasted minus sign
    ],
    ids=["eq", "space", "positional", "var", "mixed-order", "double-dash", "repeat-same", "unicode-minus"],
)
def test_every_form_of_variable(runner, args: list[str]) -> None:
    assert grad_json(runner, *args)["gradient"] == {"x": -4.0, "y": -4.0, "z": 3.0}


def test_an_expression_beginning_with_minus_goes_after_double_dash(runner) -> None:
    assert grad_json(runner, "--", "-x^2", "x=3")["value"] == -9.0


def test_var_sets_a_variable_named_like_an_option(runner) -> None:
    assert grad_json(runner, "json*2", "--var", "json=3")["gradient"] == {"json": 2.0}


def test_expression_from_standard_input(runner) -> None:
    assert grad_json(runner, "-", "x=2", input="x *\n x\n")["gradient"] == {"x": 4.0}


def test_expression_from_a_file(runner, tmp_path: Path) -> None:
    path = tmp_path / "neuron.txt"
    path.write_text("1/(1+exp(-(w*x)))\n", encoding="utf-8")
    doc = grad_json(runner, f"@{path}", "w=0", "x=1")
    assert doc["value"] == 0.5 and doc["gradient"] == {"w": 0.25, "x": 0.0}


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["2x"], 2, "cgcli: error: unexpected 'x' at column 2"),
        (["sine(x)", "x=1"], 2, "unknown function sine"),
        ([ADD_MUL, "x=1", "y=2"], 2, "missing value for z: add --z=VALUE"),
        (["x*y"], 2, "missing value for x, y: add --x=VALUE --y=VALUE"),
        (["x", "x=1", "y=2"], 2, "the expression does not use y (it uses x)"),
        (["x", "x=abc"], 2, "the value of x must be a decimal number"),
        (["x", "x=nan"], 2, "the value of x must be a decimal number"),
        (["x", "x=inf"], 2, "the value of x must be a decimal number"),
        (["x", "x=1e999"], 2, "overflows"),
        (["x*pi", "pi=3", "x=1"], 2, "pi is a constant"),
        (["x", "x=1", "x=2"], 2, "two different values for x: 1 and 2"),
        (["x", "--x"], 2, "--x needs a value"),
        (["x", "x=1", "extra"], 2, "unexpected argument 'extra'"),
        (["-x^2", "x=1"], 2, "goes after '--'"),
        ([], 2, "missing expression"),
        (["@/nonexistent/expr"], 2, "cannot read the expression from /nonexistent/expr"),
        (["x", "x=1", "--digits", "0"], 2, "--digits"),
        (["log(x)", "x=-1"], 3, "log needs a positive argument: in log(x) (node 1) the argument is -1"),
        (["sqrt(-1)"], 3, "sqrt needs a non-negative argument"),
        (["1/(x-x)", "x=1"], 3, "div needs a non-zero divisor"),
        (["0^-1"], 3, "pow needs"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_errors_give_one_message_and_the_spec_exit_code(runner, args: list[str], code: int, message: str) -> None:
    result = runner.invoke(cli, ["grad", *args])
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["grad", "x", "--jsn", "x=1"], ["grad", "--nope"], ["frobnicate"]])
def test_bad_options_and_commands_exit_2_through_main(args: list[str], capsys) -> None:
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("cgcli: error: ")


def test_an_unknown_option_suggests_the_real_one(capsys) -> None:
    assert main(["grad", "x", "--jsn", "x=1"]) == 2
    assert "did you mean the option --json?" in capsys.readouterr().err


def test_table_shows_every_node_and_the_gradients(runner) -> None:
    result = runner.invoke(cli, ["grad", ADD_MUL, "--x=-2", "--y=5", "--z=-4"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[-6:-2] == ["f = -12", "∂f/∂x = -4", "∂f/∂y = -4", "∂f/∂z = 3"]
    row = next(line for line in lines if "(x + y) * z" in line and "mul" in line)
    assert [cell.strip() for cell in row.split("│")[1:-1]] == [
        "4",
        "(x + y) * z",
        "mul",
        "-12",
        "#2: -4, #3: 3",
        "1",
        "switcher",
    ]
    assert "\x1b[" not in result.stdout  # not a terminal: no colour codes


def test_digits_sets_significant_digits(runner) -> None:
    result = runner.invoke(cli, ["grad", "sigmoid(x)", "x=1", "--digits", "3"])
    assert "f = 0.731" in result.stdout and "∂f/∂x = 0.197" in result.stdout


def test_colour_on_a_terminal_and_none_with_no_color(monkeypatch) -> None:
    from rich.console import Console

    from cgcli.present.table import grad_view

    result = cgcli.evaluate(cgcli.parse("x*2"), {"x": 1.0})
    console = Console(force_terminal=True, color_system="standard", width=100)
    with console.capture() as capture:
        console.print(grad_view(result))
    assert "\x1b[32m" in capture.get() and "\x1b[31m" in capture.get()  # green values, red gradients
    monkeypatch.setenv("NO_COLOR", "1")
    console = Console(force_terminal=True, color_system="standard", width=100)
    with console.capture() as capture:
        console.print(grad_view(result))
    assert "\x1b[32m" not in capture.get()


def test_json_writes_non_finite_numbers_as_strings(runner) -> None:
    result = runner.invoke(cli, ["grad", "exp(x)", "x=1000", "--json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)  # strict: json.loads would accept NaN, so check the text too
    assert doc["value"] == "inf" and doc["gradient"] == {"x": "inf"}
    assert "Infinity" not in result.stdout and "NaN" not in result.stdout
    assert "cgcli: warning: overflow: exp(x) (node 1) is inf" in result.stderr


def test_version_and_help(runner) -> None:
    assert runner.invoke(cli, ["--version"]).stdout == f"cgcli, version {cgcli.__version__}\n"
    for command in cli.commands:
        help_text = runner.invoke(cli, [command, "--help"]).stdout
        assert f"cgcli {command} " in help_text or "Example" in help_text, command
    assert "Example" in runner.invoke(cli, ["grad", "--help"]).stdout


# -- as a real process -----------------------------------------------------


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cgcli", *args],
        input=input,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_process_grad_json() -> None:
    done = run("grad", ADD_MUL, "--x=-2", "--y=5", "--z=-4", "--json")
    assert done.returncode == 0 and done.stderr == ""
    assert json.loads(done.stdout)["gradient"] == {"x": -4.0, "y": -4.0, "z": 3.0}


def test_process_errors_have_no_traceback() -> None:
    for args, code in [(["grad", "2x"], 2), (["grad", "log(x)", "x=0"], 3), (["grad", "x", "x=y"], 2)]:
        done = run(*args)
        assert done.returncode == code
        assert done.stdout == ""
        assert done.stderr.startswith("cgcli: error:") and "Traceback" not in done.stderr


def test_process_plain_output_when_piped() -> None:
    done = run("grad", ADD_MUL, "--x=-2", "--y=5", "--z=-4", env={"TERM": "xterm-256color"})
    assert done.returncode == 0 and "\x1b[" not in done.stdout and "∂f/∂z = 3" in done.stdout


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_json_pipes_into_jq() -> None:
    cmd = f"{sys.executable} -m cgcli grad '{ADD_MUL}' --x=-2 --y=5 --z=-4 --json | jq .gradient.x"
    done = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "-4"


def test_shell_completion_as_documented() -> None:
    env = {"_CGCLI_COMPLETE": "bash_complete", "COMP_WORDS": "cgcli grad x --di", "COMP_CWORD": "3"}
    done = run(env=env)
    assert done.returncode == 0 and done.stdout.split() == ["plain,--digits"]


def test_a_huge_table_shows_its_first_and_last_rows(runner) -> None:
    from cgcli.present.table import SHOWN

    result = runner.invoke(cli, ["grad", "x" + "+x" * (3 * SHOWN), "x=1"])
    assert result.exit_code == 0
    nodes = 3 * SHOWN + 1  # one variable, then an add per "+x"
    assert f"{nodes - 2 * SHOWN:,} more nodes (--json lists every node)" in result.stdout
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert len(rows) == 2 * SHOWN + 1 and f"∂f/∂x = {3 * SHOWN + 1}" in result.stdout
