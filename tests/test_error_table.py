"""Every row of README.md's error and warning tables is run as a user would run it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def rows(text: str, columns: int) -> list[list[str]]:
    found = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) == columns and cells[1].startswith("`"):
            found.append([cell.replace("\\|", "|") for cell in cells])
    return found


ERRORS = rows(section("Errors").split("Warnings do not stop")[0], 4)
WARNINGS = rows(section("Errors").split("Warnings do not stop")[1], 3)


def run(command: str) -> subprocess.CompletedProcess[str]:
    # The README's own commands, run in a shell as a reader would paste them.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def fragments(cell: str) -> list[str]:
    """The message cell's `quoted` pieces ("…" separates lines of one message)."""
    return re.findall(r"`([^`]+)`", cell.replace("\\|", "|"))


def test_the_tables_are_there() -> None:
    assert len(ERRORS) >= 25 and len(WARNINGS) == 5
    assert {row[3] for row in ERRORS} == {"2", "3"}


@pytest.mark.parametrize("name, example, message, code", ERRORS, ids=[row[0] for row in ERRORS])
def test_error_row(name: str, example: str, message: str, code: str) -> None:
    done = run(example.strip("`"))
    assert done.returncode == int(code), done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("cgcli: error: ") and "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) <= 5
    for piece in fragments(message):
        assert piece in done.stderr, done.stderr


@pytest.mark.parametrize("name, example, message", WARNINGS, ids=[row[0] for row in WARNINGS])
def test_warning_row(name: str, example: str, message: str) -> None:
    done = run(example.strip("`"))
    assert done.returncode == 0 and done.stdout
    for piece in fragments(message):
        assert f"cgcli: warning: {piece}" in done.stderr
