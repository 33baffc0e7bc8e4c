"""A property of ``grad --points``: whatever the mixture of lines, one record out per record in,
in order, each good one what one-point ``grad`` gives."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cgcli import evaluate, parse
from cgcli.errors import DomainError
from cgcli.modes.points import MAX_RECORD, stream

EXPR = "x * y + log(x)"
GRAPH = parse(EXPR)

numbers = st.one_of(
    st.sampled_from([0.0, -1.0, 1.0, 2.5, 1e-300, 1e300]),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: float(f"{v:.6g}")),
)

#: (kind, payload) of one input record; "good" carries (x, y)
GOOD = st.tuples(st.just("good"), st.tuples(numbers, numbers))
BAD_JSONL = st.sampled_from(
    [b"{", b"nope", b"[1]", b'{"x": 1}', b'{"x": "a", "y": 1}', b'{"x": 1, "y": 2, "z": 3}', b'{"x": \xff, "y": 1}']
    + [b'{"x": 1e400, "y": 1}', b'{"x": true, "y": 1}', b'{"\\ud800": 1}', b'{"x": 1, "y": 2}, {"x": 3, "y": 4}']
    + [b"[" * 2000 + b"]" * 2000, b'{"x": ' + b"[" * 100_000 + b"}", b'{"x": 1, "y": 2' + b" " * MAX_RECORD + b"}"]
)
BAD_CSV = st.sampled_from(
    [b"1,2,3", b"a,b", b"1_0,2", b"1", b"inf,1", b"nan,2", b"\xff,1", b"1,2\r3,4", b'"1,2', b"1e400,1", b"\xd9\xa1,1"]
    + [b"1," + b"2" * (MAX_RECORD + 1), b"0x10,1"]
)


def lines_of(fmt: str):
    """A mixture: good records, bad lines, records split over two lines, blank lines."""
    bad = BAD_JSONL if fmt == "jsonl" else BAD_CSV
    one = st.one_of(
        GOOD,
        st.tuples(st.just("bad"), bad),
        st.tuples(st.just("split"), st.tuples(numbers, numbers)),
        st.tuples(st.just("blank"), st.sampled_from([b"", b"  ", b"\t", b"\r"])),
    )
    return st.lists(one, max_size=40)


def encode(fmt: str, mixture: list) -> tuple[bytes, list[tuple[int, tuple[float, float] | None]]]:
    """The input bytes and, for each record, (its line, its point or None for a bad record)."""
    lines: list[bytes] = [b"y,x"] if fmt == "csv" else []
    expected: list[tuple[int, tuple[float, float] | None]] = []
    for kind, payload in mixture:
        if kind == "good":
            x, y = payload
            lines.append(b"%r,%r" % (y, x) if fmt == "csv" else b'{"x": %r, "y": %r}' % (x, y))
            expected.append((len(lines), (x, y)))
        elif kind == "bad":
            lines.append(payload)
            expected.append((len(lines), None))
        elif kind == "split":
            x, y = payload
            halves = [b"%r," % y, b"%r" % x] if fmt == "csv" else [b'{"x": %r,' % x, b' "y": %r}' % y]
            for half in halves:
                lines.append(half)
                expected.append((len(lines), None))
        else:
            lines.append(payload)
    return b"\n".join(lines) + b"\n", expected


def one_point(x: float, y: float) -> tuple[float, float, float] | str:
    try:
        result = evaluate(GRAPH, {"x": x, "y": y})
    except DomainError as e:
        return str(e)
    return result.output, result.gradient["x"], result.gradient["y"]


def close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))


def outputs(fmt: str, data: bytes) -> list[tuple[tuple[float, ...], str]]:
    """Each output record as (value, d_x, d_y) and its error ("" if none)."""
    sink = io.BytesIO()
    stream(GRAPH, io.BytesIO(data), sink, fmt)
    text = sink.getvalue().decode("utf-8")  # strict: the output is always UTF-8
    if fmt == "jsonl":
        records = [json.loads(line) for line in text.splitlines()]
        return [
            ((), f"line {r['line']}: {r['error']}")
            if "error" in r
            else ((float(r["value"]), float(r["gradient"]["x"]), float(r["gradient"]["y"])), "")
            for r in records
        ]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["value", "d_x", "d_y", "error"]
    return [((), row[3]) if row[3] else (tuple(map(float, row[:3])), "") for row in rows[1:]]


@pytest.mark.parametrize("small", [2_000, 0], ids=["python-for-small-groups", "polars-for-every-group"])
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_one_record_out_per_record_in_each_good_one_as_grad_gives(fmt: str, small: int, monkeypatch) -> None:
    """Both ways of reading and writing: small groups in Python, or every group through polars."""
    monkeypatch.setattr("cgcli.modes.points.SMALL", small)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(lines_of(fmt))
    def check(mixture: list) -> None:
        data, expected = encode(fmt, mixture)
        out = outputs(fmt, data)
        assert len(out) == len(expected)
        for (line, point), (numbers_out, error) in zip(expected, out, strict=True):
            if point is None:
                assert error.startswith(f"line {line}: "), (line, error)
                continue
            want = one_point(*point)
            if isinstance(want, str):
                assert error == f"line {line}: {want}"
            else:
                assert not error, (line, error)
                assert all(map(close, numbers_out, want)), (line, numbers_out, want)

    check()
