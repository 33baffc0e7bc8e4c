"""Help: ``-h`` everywhere, bare ``cgcli`` on stdout with exit 0, and help that describes what it prints."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cgcli.cli import cli, main
from cgcli.core.ops import CONSTANTS, FUNCTIONS


def test_bare_cgcli_prints_help_to_stdout_and_exits_0() -> None:
    done = subprocess.run([sys.executable, "-m", "cgcli"], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("Usage: cgcli [OPTIONS] COMMAND [ARGS]...\n")
    assert "Commands:\n  check" in done.stdout


def test_bare_cgcli_through_main(capsys) -> None:
    assert main([]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Usage: cgcli") and err == ""


COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_every_command_takes_h(runner, command: str, flag: str) -> None:
    result = runner.invoke(cli, [command, flag])
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith(f"Usage: cli {command} [OPTIONS] EXPR\n")


def test_h_after_an_expression_is_help_too(runner) -> None:
    result = runner.invoke(cli, ["grad", "x", "x=1", "-h"])
    assert result.exit_code == 0 and "Usage:" in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_help_lists_the_language(runner, command: str) -> None:
    text = " ".join(runner.invoke(cli, [command, "--help"]).stdout.split())
    assert "operators + - * / ^ (also **), unary -, parentheses" in text
    for name in FUNCTIONS:
        assert f" {name}," in text or f" {name}(" in text or f" {name};" in text, name
    assert "constants " + ", ".join(CONSTANTS) in text


@pytest.mark.parametrize(
    "command, words",
    [
        ("grad", ["expression, value, gradient (by variable) and nodes (id, op, expr, inputs, value, local, grad"]),
        ("check", ["expression, ok, step, tolerance and points", "analytic, numeric, rel_error, ok, kink"]),
    ],
)
def test_json_help_describes_the_document(runner, command: str, words: list[str]) -> None:
    text = " ".join(runner.invoke(cli, [command, "--help"]).stdout.split())
    assert "SPEC.md" not in text
    for phrase in words:
        assert phrase in text


def test_at_is_in_the_help(runner) -> None:
    for command in COMMANDS:
        assert "--at FILE|-" in runner.invoke(cli, [command, "--help"]).stdout
