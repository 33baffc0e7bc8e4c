"""Fuzz target: any bytes as the records of ``grad --points``, CSV and JSON Lines.

    pip install atheris && python fuzz/fuzz_points.py -max_total_time=600   # coverage-guided
    CGCLI_FUZZ_EXAMPLES=200000 python -m pytest fuzz/fuzz_points.py         # Hypothesis, no atheris

``--points`` reads well-formed chunks in C (NumPy's reader, orjson) and goes
line by line only where in doubt; this target looks for input on which the
two ways part: an internal error, a warning, a traceback, or an output whose
record count is not the input's.  It found two bugs the day the fast paths
were written.  Not part of the normal test run (pytest's testpaths is tests/).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import warnings

from cgcli.cli import main

EXPRESSION = "log(x) * y + sqrt(x)"  # two variables, two domains
FORMATS = ("csv", "jsonl")


def run_once(data: bytes) -> None:
    """Feed ``data`` (its first byte picks the format) to ``grad --points -`` and judge the result."""
    if not data:
        return
    fmt = FORMATS[data[0] % 2]
    text = data[1:].decode("utf-8", errors="replace")
    out, err = io.StringIO(), io.StringIO()
    stdin, sys.stdin = sys.stdin, io.StringIO(text, newline=None)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            warnings.simplefilter("error")
            code = main(["grad", EXPRESSION, "--points", "-", "--points-format", fmt])
    finally:
        sys.stdin = stdin
    message = err.getvalue()
    if code not in (0, 2) or "Traceback" in message or "internal error" in message:
        raise AssertionError(f"exit {code} for {data!r}: {message[:500]}")
    if code == 0:
        records = [line for line in text.splitlines() if line.strip()]
        if fmt == "csv":
            records = records[1:]  # the header
        written = out.getvalue().splitlines()[1 if fmt == "csv" else 0 :]
        # a record per non-blank line (splitlines also splits at \x1c and \u2028, which
        # records may hold: compare only where the text has none)
        if all(c not in text for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029") and len(written) != len(records):
            raise AssertionError(f"{len(records)} records in, {len(written)} out for {data!r}")


def test_fuzz_with_hypothesis() -> None:
    """The same target driven by Hypothesis, as long as CGCLI_FUZZ_EXAMPLES asks."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    examples = int(os.environ.get("CGCLI_FUZZ_EXAMPLES", "2000"))
    atoms = ["1", "-2.5", "1e308", "1e309", "nan", "inf", "", " ", '"3"', "1_0", "0x10", "١", "\r", "\t4", "--1"]
    atoms += [".", "1e", "5e-324", "9" * 400, "true", "null", "[1]", "{}", '"', ",", "\n", "\n\n", '"x"', '"y"']
    atoms += ['{"x": 1, "y": 2}', '{"x": -1, "y": 2}', '{"y": 0.5, "x": 3}', ":", "x,y\n", "y,x\n", "é"]
    soups = st.lists(st.sampled_from(atoms), max_size=40).map("".join).map(str.encode)

    @settings(max_examples=examples, deadline=None, database=None)
    @given(st.integers(0, 1), st.one_of(soups, st.binary(max_size=80)))
    def fuzz(fmt: int, data: bytes) -> None:
        run_once(bytes([fmt]) + data)

    fuzz()


if __name__ == "__main__":
    import atheris

    atheris.instrument_all()
    atheris.Setup(sys.argv, run_once)
    atheris.Fuzz()
