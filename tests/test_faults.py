"""Faults at the edges of the process, through real processes (issue 14): a reader that
goes away, Ctrl-C at several moments, Graphviz failing, small memory, a byte-order mark
and other scripts' digits.  Each pins the exit code, the exact message and stdout."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cgcli.cli.app import OUT_OF_MEMORY
from cgcli.present.layout import MAX_LAYOUT_NODES, layout_size

CGCLI = [sys.executable, "-m", "cgcli"]
INTERRUPTED = "cgcli: interrupted\n"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("faults")
    paths = {
        "sum": root / "sum.txt",  # a table, a tree and JSON far larger than a pipe holds
        "points": root / "points.jsonl",
        "csv": root / "points.csv",
        "big": root / "big.txt",
    }
    paths["sum"].write_text(" + ".join(f"x{i % 50} * y" for i in range(3000)))
    paths["points"].write_text("".join(json.dumps({"x": i / 1000}) + "\n" for i in range(300_000)))
    paths["csv"].write_text("x\n" + "".join(f"{i / 1000}\n" for i in range(300_000)))
    paths["big"].write_text("+".join("x" for _ in range(100_000)))
    return paths


def point_args() -> list[str]:
    return [f"x{i}={i}" for i in range(50)] + ["y=2"]


# -- a reader that goes away: exit 0, quietly -------------------------------

READERS_GONE = {
    "grad table": ["grad", "@sum", *point_args()],
    "grad --json": ["grad", "@sum", *point_args(), "--json"],
    "grad --steps": ["grad", "@sum", *point_args(), "--steps"],
    "check": ["check", "x*x", "x=1"],
    "check --json": ["check", "x*x", "x=1", "--json"],
    "graph tree": ["graph", "@sum", *point_args()],
    "graph dot": ["graph", "@sum", *point_args(), "--format", "dot"],
    "graph mermaid": ["graph", "@sum", *point_args(), "--format", "mermaid"],
    "graph svg": ["graph", "(x+y)*z", "x=1", "y=2", "z=3", "--format", "svg"],
    "graph png": ["graph", "(x+y)*z", "x=1", "y=2", "z=3", "--format", "png"],
    "points jsonl": ["grad", "x*sin(x)", "--points", "@points"],
    "points csv": ["grad", "x*sin(x)", "--points", "@csv"],
    "descend": ["descend", "x^2", "x=3"],
    "descend --json": ["descend", "x^2", "x=3", "--json"],
    "diff": ["diff", "@sum"],
    "diff --json": ["diff", "(x+y)*z", "--json"],
    "help": ["--help"],
    "version": ["--version"],
}


def _args(args: list[str], files: dict[str, Path]) -> list[str]:
    """``@sum`` -> ``@/tmp/…/sum.txt``; ``--points @points`` -> the file's path."""
    out = []
    for a in args:
        if a.startswith("@") and a[1:] in files:
            out.append(("@" if out[-1:] != ["--points"] else "") + str(files[a[1:]]))
        else:
            out.append(a)
    return out


@pytest.mark.parametrize("args", READERS_GONE.values(), ids=READERS_GONE.keys())
def test_a_reader_that_never_reads(files: dict[str, Path], args: list[str]) -> None:
    # cgcli … | (exec 0<&-): the pipe's read end is closed before cgcli writes anything
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(CGCLI + _args(args, files), stdout=write, stderr=subprocess.PIPE, timeout=120)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr.decode()) == (0, "")


@pytest.mark.parametrize("args", [READERS_GONE[k] for k in ("grad table", "grad --json", "graph dot", "points jsonl")])
def test_head_one(files: dict[str, Path], args: list[str]) -> None:
    # cgcli … | head -1: one line read, then the reader goes
    with subprocess.Popen(CGCLI + _args(args, files), stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()
        err = process.stderr.read()
        assert process.wait(timeout=120) == 0
    assert first.endswith(b"\n") and err == b""


# -- Ctrl-C: one short message, exit 130, whole records ---------------------


def _interrupt_during_import(args: list[str], module: str) -> tuple[int, str, bytes]:
    """Run cgcli under -X importtime and send SIGINT as soon as ``module`` has been imported."""
    with subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "cgcli", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stderr is not None and process.stdout is not None
        for line in iter(process.stderr.readline, b""):
            if line.startswith(b"import time:") and line.rpartition(b"|")[2].strip() == module.encode():
                process.send_signal(signal.SIGINT)
                break
        else:
            pytest.fail(f"{module} was never imported")
        out, err = process.communicate(timeout=60)
    rest = [line for line in err.decode().splitlines(True) if not line.startswith("import time:")]
    return process.returncode, "".join(rest), out


@pytest.mark.parametrize(
    ("args", "module"),
    [
        (["grad", "x*y", "x=1", "y=2"], "click.core"),
        (["grad", "x*y", "x=1", "y=2"], "cgcli.cli.app"),
        (["grad", "x*y", "x=1", "y=2"], "cgcli.language.lalr_tables"),
        (["grad", "x*y", "x=1", "y=2"], "cgcli.present.table"),
        (["check", "x*y", "x=1", "y=2", "--json"], "cgcli.cli.app"),
        (["grad", "x", "--points", "-"], "numpy"),
    ],
    ids=["click", "app", "tables", "table", "check", "numpy"],
)
def test_ctrl_c_while_importing(args: list[str], module: str) -> None:
    code, err, out = _interrupt_during_import(args, module)
    assert (code, err, out) == (130, INTERRUPTED, b"")


@pytest.mark.parametrize("after", [1, 10_000, 200_000, 1_000_000])
@pytest.mark.parametrize("points", ["points", "csv"])
def test_ctrl_c_mid_stream_leaves_whole_records(files: dict[str, Path], after: int, points: str) -> None:
    process = subprocess.Popen(
        [*CGCLI, "grad", "x*sin(x)", "--points", str(files[points])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    assert process.stdout is not None
    got = b""
    while len(got) < after:
        piece = process.stdout.read(after - len(got))
        assert piece, "cgcli ended before it was interrupted"
        got += piece
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    out = got + out
    assert (process.returncode, err.decode()) == (130, INTERRUPTED)
    assert out.endswith(b"\n")
    lines = out.decode().splitlines()
    if points == "csv":
        assert lines[0] == "value,d_x,error"
        rows = [line.split(",") for line in lines[1:]]
        assert all(len(row) == 3 and row[2] == "" and all(map(float, row[:2])) is not None for row in rows)
    else:
        assert all(json.loads(line)["gradient"].keys() == {"x"} for line in lines)


def test_ctrl_c_while_dot_runs(tmp_path: Path) -> None:
    fake = _fake_dot(tmp_path, "exec sleep 30\n")
    process = subprocess.Popen(
        [*CGCLI, "graph", "x*y", "--format", "svg"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"},
    )
    assert process.stderr is not None
    try:
        process.wait(timeout=3)  # long enough to be waiting for dot
    except subprocess.TimeoutExpired:
        pass
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)  # dot is killed, not waited for
    assert (process.returncode, err.decode(), out) == (130, INTERRUPTED, b"")


# -- Graphviz failing: one message each, exit 2 ------------------------------


def _fake_dot(tmp_path: Path, script: str, shebang: bool = True) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    dot = folder / "dot"
    dot.write_text(("#!/bin/sh\n" if shebang else "") + script)
    dot.chmod(0o755)
    return folder


def _svg(tmp_path: Path, folder: Path | None, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    environ = {**os.environ, **(env or {})}
    if folder is not None:
        environ["PATH"] = f"{folder}:{environ['PATH']}"
    command = [*CGCLI, "graph", *(args or ("x*y",)), "--format", "svg"]
    done = subprocess.run(command, capture_output=True, text=True, env=environ, timeout=60)
    return done.returncode, done.stderr, done.stdout


DOTS = {
    "crashed": ("kill -SEGV $$\n", "cgcli: error: Graphviz's dot crashed: it was ended by signal SIGSEGV\n"),
    "killed": (
        "kill -KILL $$\n",
        "cgcli: error: Graphviz's dot crashed: it was ended by signal SIGKILL"
        " (SIGKILL: perhaps the system ran out of memory)\n",
    ),
    "crashed, saying why": (
        "echo 'Error: trouble in layout' >&2; kill -ABRT $$\n",
        "cgcli: error: Graphviz's dot crashed: it was ended by signal SIGABRT: Error: trouble in layout\n",
    ),
    "silent failure": ("exit 3\n", "cgcli: error: Graphviz's dot failed (exit status 3) and said nothing\n"),
    "failure": (
        "echo 'Error: <stdin>: syntax error in line 1' >&2; exit 1\n",
        "cgcli: error: Graphviz's dot failed (exit status 1): Error: <stdin>: syntax error in line 1\n",
    ),
}


@pytest.mark.parametrize(("script", "message"), DOTS.values(), ids=DOTS.keys())
def test_dot_failing(tmp_path: Path, script: str, message: str) -> None:
    assert _svg(tmp_path, _fake_dot(tmp_path, script)) == (2, message, "")


def test_dot_that_is_no_program(tmp_path: Path) -> None:
    folder = _fake_dot(tmp_path, "this is not a program\n", shebang=False)
    code, err, out = _svg(tmp_path, folder)
    assert (code, out) == (2, "")
    assert err == (
        f"cgcli: error: cannot run Graphviz's dot ({folder}/dot): Exec format error "
        "(it is not a program this machine can run: reinstall Graphviz)\n"
    )


def test_dot_too_slow(tmp_path: Path) -> None:
    folder = _fake_dot(tmp_path, "exec sleep 30\n")
    assert _svg(tmp_path, folder, env={"CGCLI_DOT_TIMEOUT": "0.5"}) == (
        2,
        "cgcli: error: Graphviz's dot took longer than 0.5 s to lay out the graph and was stopped; "
        "to wait longer, set CGCLI_DOT_TIMEOUT=SECONDS, or use --format dot\n",
        "",
    )


@pytest.mark.parametrize("value", ["soon", "0", "-1", "inf", "nan"])
def test_dot_timeout_must_be_seconds(tmp_path: Path, value: str) -> None:
    assert _svg(tmp_path, None, env={"CGCLI_DOT_TIMEOUT": value}) == (
        2,
        f"cgcli: error: CGCLI_DOT_TIMEOUT must be a number of seconds, such as 300, not {value!r}\n",
        "",
    )


def test_dot_not_found(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    done = subprocess.run(
        [*CGCLI, "graph", "x*y", "--format", "png", "-o", str(tmp_path / "g.png")],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": str(empty)},
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("cgcli: error: --format png needs Graphviz's dot program")


@pytest.mark.skipif(sys.platform != "linux", reason="file-descriptor limits as Linux sets them")
def test_too_many_open_files(tmp_path: Path) -> None:
    def few_files() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (5, 5))

    done = subprocess.run(
        [*CGCLI, "graph", "x*y", "--format", "svg"], capture_output=True, text=True, preexec_fn=few_files, timeout=60
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("cgcli: error: cannot run Graphviz's dot (")
    assert done.stderr.endswith("): Too many open files (raise the limit, as in ulimit -n 1024)\n")


@pytest.mark.parametrize(
    ("text", "point"),
    [("+".join(["x"] * 70), ["x=1"]), ("-" * 5000 + "x", ["x=1"]), ("+".join(f"x{i}" for i in range(2500)), [])],
    ids=["wide fork", "long chain", "long sum"],
)
def test_too_large_for_graphviz_is_said_before_dot_starts(tmp_path: Path, text: str, point: list[str]) -> None:
    started = tmp_path / "started"
    folder = _fake_dot(tmp_path, f"touch {started}\nexec cat\n")
    source = tmp_path / "expr.txt"
    source.write_text(text)
    code, err, out = _svg(tmp_path, folder, f"@{source}", *point)
    assert (code, out, started.exists()) == (2, "", False)
    assert err.startswith("cgcli: error: the graph is too large for Graphviz to draw in reasonable time (")
    assert err.endswith("(cgcli graph … --format dot | dot -Tsvg), or --format tree or mermaid\n")


def test_layout_size_counts_what_dot_works_on() -> None:
    from cgcli import parse
    from cgcli.present.dot import graph_dot

    # a chain: every node one rank after the other, nothing side by side (+1: the output node f)
    assert layout_size(graph_dot(parse("-" * 99 + "x"))) == (100 + 1, 1)
    # x + x + x + x: x feeds every add (the first twice); its edges cross the ranks between,
    # one virtual node per rank crossed, four edges side by side after x
    assert layout_size(graph_dot(parse("x+x+x+x"))) == (4 + 1 + 2 + 1, 4)
    # an op of leaves feeding a long chain sits right before its use, as dot puts it: no virtual nodes
    terms = " + ".join(f"w{i}*x{i}" for i in range(250))
    size, width = layout_size(graph_dot(parse(terms)))
    assert size == len(parse(terms)) + 1 and width <= 4
    assert MAX_LAYOUT_NODES == 4_000


# -- small memory: one message, for every command -----------------------------

MEMORY_COMMANDS = {
    "grad": ["grad", "@big", "x=1"],
    "grad --json": ["grad", "@big", "x=1", "--json"],
    "grad --steps": ["grad", "@big", "x=1", "--steps"],
    "grad --fuse": ["grad", "@big", "x=1", "--fuse"],
    "check": ["check", "@big", "x=1"],
    "check --random": ["check", "@big", "--random", "3"],
    "graph tree": ["graph", "@big", "x=1"],
    "graph dot": ["graph", "@big", "--format", "dot"],
    "graph dot values": ["graph", "@big", "x=1", "--format", "dot"],
    "graph mermaid": ["graph", "@big", "--format", "mermaid"],
    "graph svg": ["graph", "@big", "--format", "svg"],
    "points": ["grad", "x*sin(x)", "--points", "@points"],
    "descend": ["descend", "@big", "x=1", "--steps", "3"],
    "diff": ["diff", "@big"],
    "version": ["--version"],
}


@pytest.mark.slow
@pytest.mark.parametrize("limit_mb", [24, 120, 200, 320])
@pytest.mark.parametrize("args", MEMORY_COMMANDS.values(), ids=MEMORY_COMMANDS.keys())
def test_small_memory(files: dict[str, Path], args: list[str], limit_mb: int) -> None:
    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))

    done = subprocess.run(CGCLI + _args(args, files), capture_output=True, text=True, preexec_fn=limited, timeout=240)
    if done.returncode == 0:
        assert "error" not in done.stderr
    else:
        # an expression of 100,000 nodes is too big at these limits, or its picture is (for dot)
        assert done.returncode == 2, done.stderr
        assert done.stderr in (
            f"cgcli: error: {OUT_OF_MEMORY}\n",
            "cgcli: error: out of memory\n",
        ) or done.stderr.startswith("cgcli: error: the graph is too large for Graphviz"), done.stderr
        assert done.stdout == "" or not args[0] == "check"
    assert "Traceback" not in done.stderr


# -- files and encodings -----------------------------------------------------


def _run(*args: str, stdin: bytes = b"") -> tuple[int, str, str]:
    done = subprocess.run([*CGCLI, *args], input=stdin, capture_output=True, timeout=60)
    return done.returncode, done.stdout.decode(), done.stderr.decode()


@pytest.mark.parametrize("source", ["file", "stdin"])
def test_a_byte_order_mark_is_skipped(tmp_path: Path, source: str) -> None:
    text = "\ufeff(x+y)*z".encode()
    path = tmp_path / "bom.txt"
    path.write_bytes(text)
    arg = f"@{path}" if source == "file" else "-"
    code, out, err = _run("grad", arg, "x=-2", "y=5", "z=-4", "--json", stdin=text)
    assert (code, err) == (0, "")
    assert json.loads(out)["expression"] == "(x+y)*z"
    assert json.loads(out)["gradient"] == {"x": -4.0, "y": -4.0, "z": 3.0}


@pytest.mark.parametrize("arg", ["x=١٢", "--x=١٢", "--var=x=١٢", "x=１", "x=12\u0663"])
def test_other_scripts_digits_are_usage_errors(arg: str) -> None:
    value = arg.rpartition("=")[2]
    argv = ["grad", "x", *(["--var", arg.removeprefix("--var=")] if arg.startswith("--var") else [arg])]
    assert _run(*argv) == (
        2,
        "",
        f"cgcli: error: the value of x must be written with the ASCII digits 0-9, not {value!r} "
        "(cgcli reads no other script's digits)\n",
    )


@pytest.mark.parametrize("value", ["1_000", "0x10", "1e", ".", "1.2.3"])
def test_what_a_number_is_not(value: str) -> None:
    assert _run("grad", "x", f"x={value}") == (
        2,
        "",
        f"cgcli: error: the value of x must be a decimal number such as -2, 0.5 or 1e-3, not {value!r}\n",
    )


def test_csv_points_follow_the_same_number_rule() -> None:
    code, out, err = _run(
        "grad", "x", "--points", "-", "--points-format", "csv", stdin="x\n1_000\n١\n 2.5 \n1e3\n".encode()
    )
    assert (code, err) == (0, "cgcli: warning: 2 of 4 records failed (the first on line 2)\n")
    assert out.splitlines() == [
        "value,d_x,error",
        ",,\"line 2: the value of x must be a decimal number such as -2, 0.5 or 1e-3, not '1_000'\"",
        ",,\"line 3: the value of x must be a decimal number such as -2, 0.5 or 1e-3, not '١'\"",
        "2.5,1.0,",
        "1000.0,1.0,",
    ]
