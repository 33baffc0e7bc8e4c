"""Huge and hostile inputs, each in its own process: it works, or fails with one
clear message, within the bounds README.md documents ("Limits").

Memory is the child's peak RSS; time limits here only guard against a hang
(speed is measured in bench/, never asserted in tests).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cgcli.language.parser import MAX_LENGTH

# Runs cgcli's main() and writes the process's peak RSS (KiB) to the file named by CGCLI_RSS.
# VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over from the forking parent (pytest).
CHILD = (
    "import os, re, sys\n"
    "from cgcli.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "peak = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
    "open(os.environ['CGCLI_RSS'], 'w').write(peak)\n"
    "sys.exit(code)\n"
)
MEMORY_BOUND_MB = 1024  # README: Limits
HANG_GUARD_S = 600


def cgcli(tmp_path: Path, *args: str, stdin: str | None = None) -> tuple[subprocess.CompletedProcess[str], float]:
    rss = tmp_path / "rss"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
        env={**os.environ, "CGCLI_RSS": str(rss)},
    )
    return done, int(rss.read_text()) / 1024


def assert_clean_failure(done: subprocess.CompletedProcess[str], code: int, message: str) -> None:
    assert done.returncode == code, done.stderr[-2000:]
    assert done.stdout == ""
    assert done.stderr.startswith("cgcli: error: ") and message in done.stderr
    assert len(done.stderr.splitlines()) <= 5 and len(done.stderr) < 2000
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_100000_nested_parentheses(tmp_path: Path) -> None:
    done, mb = cgcli(tmp_path, "grad", "-", "x=3", "--json", stdin="(" * 100_000 + "x*x" + ")" * 100_000)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["gradient"] == {"x": 6.0}
    assert mb < MEMORY_BOUND_MB


@pytest.mark.slow
def test_a_1_mb_expression_on_stdin(tmp_path: Path) -> None:
    text = "+".join(f"sin(x*{k % 9 + 1})" for k in range(120_000))[: 1 << 20].rsplit("+", 1)[0]
    assert len(text) > 1_000_000
    done, mb = cgcli(tmp_path, "grad", "-", "x=0.5", "--json", stdin=text)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert len(doc["nodes"]) > 300_000 and isinstance(doc["gradient"]["x"], float)
    assert mb < MEMORY_BOUND_MB


@pytest.mark.slow
def test_a_10_mb_expression_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("x+" * 5_000_000 + "x")
    done, mb = cgcli(tmp_path, "grad", f"@{path}", "x=1")
    assert_clean_failure(done, 2, f"longer than {MAX_LENGTH:,} characters")
    assert mb < 200  # it reads no more than the limit


@pytest.mark.slow
def test_100000_distinct_variables(tmp_path: Path) -> None:
    text = "+".join(f"v{i}*{i % 7}" for i in range(100_000))
    done, _ = cgcli(tmp_path, "grad", "-", stdin=text)
    assert_clean_failure(done, 2, "missing value for v0, v1, v2")
    assert "… and 99,990 more" in done.stderr
    done, mb = cgcli(tmp_path, "graph", "-", "--format", "dot", stdin=text)
    edges = 2 * 100_000 + 2 * (100_000 - 1) + 1  # a mul per term, an add between terms, the output to f
    assert done.returncode == 0 and done.stdout.count(" -> ") == edges
    assert mb < MEMORY_BOUND_MB


@pytest.mark.slow
def test_one_variable_used_100000_times(tmp_path: Path) -> None:
    done, mb = cgcli(tmp_path, "grad", "-", "x=2", "--json", stdin="x" + "*1+x" * 99_999)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["gradient"] == {"x": 100_000.0}
    assert mb < MEMORY_BOUND_MB


@pytest.mark.parametrize(
    "args, stdin, code, message",
    [
        (["grad", "-"], "", 2, "empty expression"),
        (["grad", "-"], "\n\t \n", 2, "empty expression"),
        (["grad", "-", "x=1"], "x\x00", 2, "unexpected character"),
        (["grad", "-", "x=1"], "x" * 200_000, 2, "missing value for xxxxxxxxxx… (a name of 200,000 characters)"),
        (["grad", "x", "--x", "1" * 400], None, 2, "overflows"),
        (["grad", "(" * 5000], None, 2, "unexpected end of expression"),
        (["grad", ")" * 5000], None, 2, "unexpected ')'"),
        (["check", "x", "x=1", "--random", "0"], None, 2, "--random"),
    ],
    ids=["empty", "blank", "nul", "long-name", "huge-value", "open-parens", "close-parens", "zero-points"],
)
def test_hostile_arguments_fail_cleanly(
    tmp_path: Path, args: list[str], stdin: str | None, code: int, message: str
) -> None:
    done, _ = cgcli(tmp_path, *args, stdin=stdin)
    assert_clean_failure(done, code, message)
