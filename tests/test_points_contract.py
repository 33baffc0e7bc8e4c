"""``grad --points``'s contract through real processes: output record k answers input record k.

Every failure of issue #9 is here, from a file and from standard input
alike: a record out per record in, in order, the bad ones as their own
line's error record, the others what one-point ``grad`` gives.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cgcli import evaluate, parse
from cgcli.errors import DomainError
from cgcli.modes.points import MAX_RECORD

TIMEOUT = 120


def points(expr: str, data: bytes, fmt: str, tmp_path: Path | None = None, *options: str):
    """Run ``cgcli grad EXPR --points`` on ``data`` (a file when ``tmp_path`` is given, else stdin)."""
    source = "-"
    if tmp_path is not None:
        path = tmp_path / f"points.{fmt}"
        path.write_bytes(data)
        source = str(path)
    done = subprocess.run(
        [sys.executable, "-m", "cgcli", "grad", expr, "--points", source, "--points-format", fmt, *options],
        input=None if tmp_path is not None else data,
        capture_output=True,
        timeout=TIMEOUT,
    )
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")  # strict: output is UTF-8


def jsonl(expr: str, data: bytes, tmp_path: Path | None = None) -> list[dict]:
    code, out, err = points(expr, data, "jsonl", tmp_path)
    assert code == 0, err
    assert out.endswith("\n") or not out
    return [json.loads(line) for line in out.splitlines()]


def answers(records: list[dict], expected: list[float | tuple[int, str]]) -> None:
    """Record k is the value expected[k], or the error record (line, a part of its message)."""
    assert len(records) == len(expected), records
    for record, want in zip(records, expected, strict=True):
        if isinstance(want, tuple):
            line, part = want
            assert record.get("line") == line and part in record["error"], (record, want)
        else:
            assert "error" not in record and record["value"] == want, (record, want)


@pytest.fixture(params=["stdin", "file"])
def via(request, tmp_path: Path) -> Path | None:
    return tmp_path if request.param == "file" else None


def test_a_multi_record_line_and_a_split_record_shift_nothing(via) -> None:
    data = b'{"x": 1}\n{"x": 2}, {"x": 3}\n{"x": 4}\n{"x":\n 5}\n{"x": 6}\n'
    answers(
        jsonl("x", data, via),
        [1.0, (2, "more after the first value"), 4.0, (4, "not valid JSON"), (5, "not valid JSON"), 6.0],
    )


def test_a_constant_expression_answers_every_record(via) -> None:
    answers(jsonl("2*3", b"{}\n{}\n{}\n", via), [6.0, 6.0, 6.0])
    answers(jsonl("2*3", b'{}\n{"x": 1}\n[]\n{}\n', via), [6.0, (2, "does not use x"), (3, "expected an object"), 6.0])


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_an_over_deep_record_is_its_own_error(depth: int, via) -> None:
    deep = b"[" * depth + b"]" * depth
    data = b'{"x": 1}\n' + deep + b'\n{"x": ' + deep + b'}\n{"x": 4}\n'
    # orjson reads 1,024 levels: a shallower record is valid JSON, if not an object of numbers
    answers(jsonl("x", data, via), [1.0, (2, "JSON" if depth > 1024 else "an object"), (3, ""), 4.0])


def test_lone_surrogate_keys_are_error_records_and_the_output_stays_utf8(via) -> None:
    data = b'{"x": 1}\n{"\\ud800": 1}\n{"x": 2, "\\udfff": 3}\n{"x": 3}\n'
    records = jsonl("x", data, via)
    answers(records, [1.0, (2, "missing value for x"), (3, "does not use '\\udfff'"), 3.0])


@pytest.mark.parametrize("expr", ["x + 1/0", "x/(1-1)", "max(1, 0/0) + x", "x + log(0)"])
def test_a_constant_domain_error_is_every_records_error_as_in_grad(expr: str, via) -> None:
    """Decided: the error of a constant sub-expression is each record's, as one-point grad gives it."""
    messages = []
    for x in (1, 2):
        one = subprocess.run(
            [sys.executable, "-m", "cgcli", "grad", expr, f"--x={x}"], capture_output=True, text=True, timeout=TIMEOUT
        )
        assert one.returncode == 3
        messages.append(one.stderr.removeprefix("cgcli: error: ").strip())
    records = jsonl(expr, b'{"x": 1}\n{"x": 2}\n', via)
    assert records == [{"line": 1, "error": messages[0]}, {"line": 2, "error": messages[1]}]


def expected_of(expr: str, point: dict[str, float]) -> dict | str:
    try:
        result = evaluate(parse(expr), point)
    except DomainError as e:
        return str(e)
    return {"value": result.output, "gradient": result.gradient}


@pytest.mark.parametrize("expr", ["x^(1e308*10)", "x + (-2)^exp(1000)", "x^exp(1000)", "x^(-exp(1000))"])
def test_infinite_exponents_decide_domains_as_grad_does(expr: str, via) -> None:
    xs = [-1.0, -2.0, 0.0, 0.5, 1.0, 2.0]
    records = jsonl(expr, b"".join(b'{"x": %r}\n' % x for x in xs), via)
    for k, (x, record) in enumerate(zip(xs, records, strict=True)):
        want = expected_of(expr, {"x": x})
        if isinstance(want, str):
            assert record == {"line": k + 1, "error": want}
        else:
            assert "error" not in record, (x, record)
            got = [number(record["value"]), *map(number, record["gradient"].values())]
            assert got == pytest.approx([want["value"], *want["gradient"].values()], nan_ok=True), (x, record)


def number(v: float | str) -> float:
    return float(v)  # "inf", "-inf", "nan" are strings in JSON Lines


def test_a_record_at_the_size_bound_is_read_and_one_over_is_an_error(via) -> None:
    at = b'{"x": 2' + b" " * (MAX_RECORD - 8) + b"}"
    assert len(at) == MAX_RECORD
    over = at + b" "
    data = b'{"x": 1}\n' + at + b"\n" + over + b"\n" + over + over + b'\n{"x": 5}\n' + over  # (no final newline)
    answers(jsonl("x", data, via), [1.0, 2.0, (3, "longer than 1,048,576 bytes"), (4, "longer"), 5.0, (6, "longer")])
    # a blank line is no record, however long
    spaces = b" " * (2 * MAX_RECORD)
    answers(jsonl("x", spaces + b'\n{"x": 2}\n' + spaces + b"\t\n" + spaces, via), [2.0])
    csv = b"x\n1\n" + b"2" * (MAX_RECORD + 1) + b"\n3\n"
    code, out, _ = points("x", csv, "csv", via)
    assert code == 0
    assert out.splitlines()[1:] == [
        "1.0,1.0,",
        ',,"line 3: longer than 1,048,576 bytes (the limit of a record)"',
        "3.0,1.0,",
    ]


def test_a_csv_header_is_bounded_too(via) -> None:
    code, out, err = points("x", b"x" * (MAX_RECORD + 1) + b"\n1\n", "csv", via)
    assert (code, out) == (
        2,
        "",
    ) and err == "cgcli: error: the CSV header is longer than 1,048,576 bytes (the limit of a record)\n"


FEED = """
import resource, subprocess, sys, threading
child = subprocess.Popen([sys.executable, "-m", "cgcli", "grad", "x", "--points", "-"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
def feed():
    child.stdin.write(b'{"x": 1}\\n')
    for _ in range(int(sys.argv[1])):
        child.stdin.write(b"7" * (1 << 20))
    child.stdin.write(b'\\n{"x": 3}\\n')
    child.stdin.close()
threading.Thread(target=feed).start()
out = child.stdout.read()
child.wait()
print(out.count(b"\\n"), child.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


@pytest.mark.slow
def test_a_huge_line_without_a_newline_keeps_memory_bounded() -> None:
    def run(mib: int) -> tuple[int, int, int]:
        done = subprocess.run([sys.executable, "-c", FEED, str(mib)], capture_output=True, text=True, timeout=TIMEOUT)
        lines, code, peak = map(int, done.stdout.split())
        return lines, code, peak

    small, large = run(8), run(400)
    assert small[:2] == large[:2] == (3, 0)
    assert large[2] - small[2] < 40 * 1024, (small, large)  # KiB: 400 MiB of line never held


@pytest.mark.parametrize("fmt, data", [("csv", b"\xef\xbb\xbfx\n1\n"), ("jsonl", b'\xef\xbb\xbf{"x": 1}\n')])
def test_a_bom_at_the_start_is_skipped(fmt: str, data: bytes, via) -> None:
    code, out, err = points("x", data, fmt, via)
    assert (code, err) == (0, "")
    assert out in ("value,d_x,error\n1.0,1.0,\n", '{"value": 1.0, "gradient": {"x": 1.0}}\n')


def test_cr_is_read_the_same_from_a_file_and_from_stdin(tmp_path: Path) -> None:
    """Decided: a line ends at LF, a CR just before it is dropped; a lone CR is inside the line
    (JSON reads it as a space; CSV names it as the line's error)."""
    data = b'{"x": 1}\r\n{"x":\r2}\n{"x": 3}\r{"x": 4}\n'
    for fmt, input_ in [("jsonl", data), ("csv", b"x\r\n1\r\n2\r3\n4\n")]:
        assert points("x", input_, fmt, tmp_path) == points("x", input_, fmt, None)
    answers(jsonl("x", data), [1.0, 2.0, (3, "more after the first value")])
    code, out, _ = points("x", b"x\r\n1\r\n2\r3\n4\n", "csv")
    assert out.splitlines()[1:] == [
        "1.0,1.0,",
        ",,line 3: a carriage return inside the line (a line ends with LF or CR LF)",
        "4.0,1.0,",
    ]


def test_invalid_utf8_is_that_lines_error_and_never_echoed(via) -> None:
    records = jsonl("x", b'{"x": 1}\n{"x": "\xff\xfe"}\n{"\xc3": 2}\n{"x": 4}\n', via)
    answers(records, [1.0, (2, "not UTF-8 text (byte 8 of the line)"), (3, "not UTF-8 text (byte 3"), 4.0])
    code, out, _ = points("x", b"x\n1\n\xff2\n3\n", "csv", via)
    assert out.splitlines()[1:] == ["1.0,1.0,", ",,line 3: not UTF-8 text (byte 1 of the line)", "3.0,1.0,"]


def test_unknown_keys_are_listed_ten_at_most(via) -> None:
    record = {"x": 1, **{f"k{i}": i for i in range(50)}}
    (out,) = jsonl("x", json.dumps(record).encode() + b"\n", via)
    assert out == {
        "line": 1,
        "error": "the expression does not use k0, k1, k2, k3, k4, k5, k6, k7, k8, k9 … and 40 more",
    }
    header = ",".join(["x", *(f"k{i}" for i in range(50))]).encode()
    code, _, err = points("x", header + b"\n", "csv", via)
    assert code == 2 and "unknown k0, k1, k2, k3, k4, k5, k6, k7, k8, k9 … and 40 more" in err and "k10," not in err


@pytest.mark.parametrize("text", ["1_000", "١", "inf", "nan", "0x10", "1e400", "--1", "1 2", '"1', ""])
def test_csv_numbers_follow_the_rule_of_x_value(text: str) -> None:
    code, out, _ = points("x + y", f"x,y\n1,2\n{text},2\n3,4\n".encode(), "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[1] == "3.0,1.0,1.0," and lines[3] == "7.0,1.0,1.0,"
    assert lines[2].startswith(",,,") and "line 3: " in lines[2]


def test_csv_numbers_the_rule_allows(via) -> None:
    code, out, _ = points("x", b'x\n+1\n.5\n1.\n -2.5e-3 \n1E+2\n"7"\n', "csv", via)
    assert [line.split(",")[0] for line in out.splitlines()[1:]] == ["1.0", "0.5", "1.0", "-0.0025", "100.0", "7.0"]


@pytest.mark.parametrize("limit_mib", [80, 150, 400])
def test_a_small_address_space_gives_the_one_out_of_memory_message(limit_mib: int) -> None:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_mib << 20, limit_mib << 20))

    done = subprocess.run(
        [sys.executable, "-m", "cgcli", "grad", "x", "--points", "-"],
        input=b'{"x": 1}\n',
        capture_output=True,
        preexec_fn=limit,
        timeout=TIMEOUT,
    )
    assert (done.returncode, done.stdout) == (2, b"")
    assert done.stderr.decode().startswith("cgcli: error: out of memory")
    assert len(done.stderr.decode().splitlines()) == 1


@pytest.mark.parametrize("option", ["--json", "--steps", "--explain", "--digits=3", "--digits=6"])
def test_options_that_cannot_apply_are_usage_errors(option: str) -> None:
    code, out, err = points("x", b'{"x": 1}\n', "jsonl", None, option)
    assert (code, out) == (2, "")
    assert "--points prints one record" in err and option.split("=")[0] in err


def test_fuse_applies_to_points() -> None:
    code, out, _ = points("1/(1+exp(-x))", b'{"x": 0}\n', "jsonl", None, "--fuse")
    assert (code, json.loads(out)) == (0, {"value": 0.5, "gradient": {"x": 0.25}})


def test_an_interrupted_run_leaves_whole_records() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "cgcli", "grad", "x*y", "--points", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    ) as child:
        assert child.stdin is not None and child.stdout is not None
        stdin = child.stdin

        def feed() -> None:
            block = b'{"x": 1.5, "y": -2}\n' * 50_000
            try:
                for _ in range(200):
                    stdin.write(block)
            except (OSError, ValueError):  # the child has gone, or the pipe is closed
                pass

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        first = child.stdout.read(1 << 16)  # results are flowing
        time.sleep(0.2)
        child.send_signal(signal.SIGINT)
        rest = child.stdout.read()
        child.wait(timeout=TIMEOUT)
        feeder.join(timeout=TIMEOUT)
    out = first + rest
    assert child.returncode == 130
    assert out.endswith(b"\n")
    assert set(out.splitlines()) == {b'{"value": -3.0, "gradient": {"x": -2.0, "y": 1.5}}'}


def test_the_output_of_a_file_equals_that_of_stdin(tmp_path: Path) -> None:
    data = b'{"x": 1}\n\n  \n{"x": 2}, {"x": 3}\n\xff\n{"x": 1e400}\n{"x": -1}\n'
    assert points("sqrt(x)", data, "jsonl", tmp_path) == points("sqrt(x)", data, "jsonl", None)
    assert os.path.exists(tmp_path / "points.jsonl")
