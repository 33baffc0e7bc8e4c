"""Fuzz target: any bytes, as an expression and its arguments, through the whole command.

    pip install atheris && python fuzz/fuzz_expr.py -max_total_time=600     # coverage-guided
    CGCLI_FUZZ_EXAMPLES=200000 python -m pytest fuzz/fuzz_expr.py            # Hypothesis, no atheris

A finding is anything but exit 0, 2 or 3 with a clean message: an internal
error (exit 70), a traceback, or output on stdout with a failure.  Not part of
the normal test run (pytest's testpaths is tests/).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys

from cgcli.cli import main

COMMANDS = ("grad", "check", "graph")


def run_once(data: bytes) -> None:
    """Split ``data`` into a command, an expression and arguments, run it, and judge the result."""
    text = data.decode("utf-8", errors="replace")
    head, _, rest = text.partition("\x00")
    command = COMMANDS[len(head) % len(COMMANDS)]
    args = [a for a in rest.split("\x00") if a][:6]
    out, err = io.StringIO(), io.StringIO()
    stdin, sys.stdin = sys.stdin, io.StringIO(head)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([command, "--", head, *args] if head != "-" else [command, "-", *args])
    finally:
        sys.stdin = stdin
    message = err.getvalue()
    if code not in (0, 1, 2, 3) or "Traceback" in message or "internal error" in message:
        raise AssertionError(f"exit {code} for {data!r}: {message[:500]}")
    if code in (2, 3) and (out.getvalue() or not message.startswith("cgcli: error: ")):
        raise AssertionError(f"unclean failure for {data!r}: {message[:500]}")


def test_fuzz_with_hypothesis() -> None:
    """The same target driven by Hypothesis, as long as CGCLI_FUZZ_EXAMPLES asks."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    examples = int(os.environ.get("CGCLI_FUZZ_EXAMPLES", "2000"))
    alphabet = st.sampled_from(list("xyz0123456789.eE+-*/^(),  \t\n=−×²√;`'\x00") + ["exp(", "max(", "log(", "**"])
    soups = st.lists(alphabet, max_size=40).map("".join).map(str.encode)

    @settings(max_examples=examples, deadline=None, database=None)
    @given(st.one_of(soups, st.binary(max_size=60)))
    def fuzz(data: bytes) -> None:
        run_once(data)

    fuzz()


if __name__ == "__main__":
    import atheris

    atheris.instrument_all()  # coverage feedback from cgcli, lark and click
    atheris.Setup(sys.argv, run_once)
    atheris.Fuzz()
