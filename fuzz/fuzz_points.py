"""Fuzz target: any bytes as the records of ``grad --points``, CSV and JSON Lines.

    pip install atheris && python fuzz/fuzz_points.py -max_total_time=600   # coverage-guided
    CGCLI_FUZZ_EXAMPLES=200000 python -m pytest fuzz/fuzz_points.py         # Hypothesis, no atheris

``--points`` reads well-formed blocks in C (polars, orjson) and goes line by
line only where in doubt; this target looks for input on which the two ways
part, or on which a record moves: an internal error, a warning, a traceback,
output that is not UTF-8, an output record count that is not the input's
(a record is a line, cut at LF, that is not blank), or an error record whose
line is not the next record's line.  The Hypothesis driver builds the shapes
that broke it before: several records on a line, a record split over two
lines, blank lines, records nested thousands deep, lines over the 1 MiB
bound, a BOM, lone CRs, invalid UTF-8, lone surrogate escapes.  Not part of
the normal test run (pytest's testpaths is tests/).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import warnings

from cgcli.cli import main
from cgcli.modes.points import BOM, MAX_RECORD

EXPRESSION = "log(x) * y + sqrt(x)"  # two variables, two domains
FORMATS = ("csv", "jsonl")


def records_of(data: bytes, fmt: str) -> list[int]:
    """The line numbers of the records of ``data``, as SPEC.md and docs/points.md count them."""
    lines = data.removeprefix(BOM).split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    first = 2 if fmt == "csv" else 1  # line 1 of a CSV is its header
    return [k + 1 for k, line in enumerate(lines) if k + 1 >= first and line.strip(b" \t\r")]


def run_once(data: bytes) -> None:
    """Feed ``data`` (its first byte picks the format) to ``grad --points -`` and judge the result."""
    if not data:
        return
    fmt = FORMATS[data[0] % 2]
    body = data[1:]
    out, err = io.BytesIO(), io.StringIO()
    stdin, stdout = sys.stdin, sys.stdout
    sys.stdin = io.TextIOWrapper(io.BytesIO(body), encoding="utf-8")  # bytes behind it, as in a process
    wrapper = sys.stdout = io.TextIOWrapper(out, encoding="utf-8")
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(err):
            warnings.simplefilter("error")
            code = main(["grad", EXPRESSION, "--points", "-", "--points-format", fmt])
        sys.stdout.flush()
    finally:
        sys.stdin, sys.stdout = stdin, stdout
    wrapper.flush()
    raw = out.getvalue()  # (before the wrapper goes, and closes ``out`` with it)
    message = err.getvalue()
    if code not in (0, 2) or "Traceback" in message or "internal error" in message:
        raise AssertionError(f"exit {code} for {data[:300]!r}: {message[:500]}")
    if code != 0:
        return
    text = raw.decode("utf-8")  # strict: the output is always UTF-8
    # an error field may be quoted, never split over lines: one line a record
    written = text.split("\n")[1:-1] if fmt == "csv" else text.split("\n")[:-1]
    expected = records_of(body, fmt)
    if len(written) != len(expected):
        raise AssertionError(f"{len(expected)} records in, {len(written)} out for {data[:300]!r}")
    for number, line in zip(expected, written, strict=True):
        if fmt == "jsonl":
            record = json.loads(line)
            if "error" in record and record["line"] != number:
                raise AssertionError(f"record of line {number} says line {record['line']} for {data[:300]!r}")
        elif not line.endswith(",") and f"line {number}: " not in line:
            raise AssertionError(f"record of line {number} is {line[:200]!r} for {data[:300]!r}")


def test_fuzz_with_hypothesis() -> None:
    """The same target driven by Hypothesis, as long as CGCLI_FUZZ_EXAMPLES asks."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import HypothesisWarning

    # a failing 1 MiB input makes Hypothesis warn that its repr is large: show the failure instead
    warnings.filterwarnings("ignore", category=HypothesisWarning)
    from hypothesis import strategies as st

    examples = int(os.environ.get("CGCLI_FUZZ_EXAMPLES", "2000"))
    atoms = ["1", "-2.5", "1e308", "1e309", "nan", "inf", "", " ", '"3"', "1_0", "0x10", "١", "\r", "\t4", "--1"]
    atoms += [".", "1e", "5e-324", "9" * 400, "true", "null", "[1]", "{}", '"', ",", "\n", "\n\n", '"x"', '"y"']
    atoms += ['{"x": 1, "y": 2}', '{"x": -1, "y": 2}', '{"y": 0.5, "x": 3}', ":", "x,y\n", "y,x\n", "é"]
    atoms += ['{"x": 1, "y": 2}, {"x": 3, "y": 4}', '{"x": 1,', ' "y": 2}', '"\\ud800"', '{"\\udfff": 1}', "1,2\r3"]
    soups = st.lists(st.sampled_from(atoms), max_size=40).map("".join).map(str.encode)
    shapes = st.sampled_from(
        [BOM, b"\xff", b"\xc3", b"\xed\xa0\x80", b"\r\n", b"[" * 1100 + b"]" * 1100, b'{"x": ' + b"[" * 5000]
        + [b"7" * (MAX_RECORD + 1), b" " * MAX_RECORD + b"\n", b'{"x": 4' + b" " * (MAX_RECORD - 15) + b', "y": 1}']
    )
    mixtures = st.lists(st.one_of(soups, shapes, st.binary(max_size=20)), max_size=8).map(b"".join)

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.integers(0, 1), st.one_of(soups, mixtures, st.binary(max_size=80)))
    def fuzz(fmt: int, data: bytes) -> None:
        run_once(bytes([fmt]) + data)

    fuzz()


if __name__ == "__main__":
    import atheris

    atheris.instrument_all()
    atheris.Setup(sys.argv, run_once)
    atheris.Fuzz()
