"""The compiled CSV reader and writer against the rules they stand in for.

polars reads a CSV block only when the block holds nothing but the number
rule's alphabet; these properties check that, on that alphabet, it accepts
exactly what `NUMBER` accepts, with the double ``float`` gives, and that
every double it writes reads back as itself.
"""

from __future__ import annotations

import math
import struct

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cgcli.modes.points import NUMBER, _jsonl_text, _read_block, _read_line, csv_rows, jsonl_rows, number_text

ALPHABET = "0123456789+-.eE"
fields = st.text(ALPHABET, min_size=1, max_size=12)


def bits(v: float) -> bytes:
    return struct.pack("<d", v)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(fields, min_size=3, max_size=3), min_size=1, max_size=20))
def test_polars_accepts_exactly_the_rule_on_its_alphabet(rows: list[list[str]]) -> None:
    block = "".join(",".join(row) + "\n" for row in rows).encode()
    fast = _read_block(block, len(rows), 3)
    slow = [_read_line(",".join(row).encode(), ["a", "b", "c"]) for row in rows]
    if all(not reason for reason, _ in slow):
        assert fast is not None, block
        assert [list(map(bits, r)) for r in fast.tolist()] == [list(map(bits, values)) for _, values in slow]
    else:
        assert fast is None, block


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=30))
def test_polars_reads_every_shortest_text_as_the_same_double(values: list[float]) -> None:
    block = "".join(f"{v!r}\n" for v in values).encode()
    fast = _read_block(block, len(values), 1)
    assert fast is not None
    assert list(map(bits, fast[:, 0].tolist())) == list(map(bits, values))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(width=64), min_size=1, max_size=30))
def test_every_double_written_reads_back_as_itself(values: list[float]) -> None:
    """The JSON Lines writer (polars' number text, as in CSV): shortest digits, exact."""
    matrix = np.array([[v] for v in values])
    lines = _jsonl_text([], range(len(values)), matrix, None).decode().splitlines()
    for v, line in zip(values, lines, strict=True):
        text = line.removeprefix('{"value": ').removesuffix(', "gradient": {}}')
        back = float(text.strip('"'))
        assert bits(back) == bits(v) or (math.isnan(v) and math.isnan(back)), (v, text)
        if math.isfinite(v):
            assert digits(text) == digits(repr(v)), (v, text)  # repr's digits are the shortest
            assert NUMBER.match(text), text  # a JSON number that the CSV rule reads too


def digits(text: str) -> str:
    """The significant digits of a number's text."""
    return text.lower().split("e")[0].lstrip("-").replace(".", "").strip("0")


def test_the_rule_refuses_what_float_would_take() -> None:
    for text in ["1_000", "١", "inf", "nan", "0x10", " 1", "1e", "."]:
        assert not NUMBER.match(text), text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(width=64), min_size=1, max_size=30))
def test_the_python_number_text_is_polars_own(values: list[float]) -> None:
    import polars as pl

    assert list(map(number_text, values)) == pl.Series(values, dtype=pl.Float64).cast(pl.String).to_list()


def test_the_python_number_text_at_the_layout_edges() -> None:
    import polars as pl

    values = [1.5 * 10.0**k for k in range(-12, 25)] + [1e-5, -1e-5, 9.999e-6, 1e16, -0.0, 5e-324, 1e-4, 0.1 + 0.2]
    values += [math.inf, -math.inf, math.nan, 1.7976931348623157e308, -1.2345678901234567e-5]
    assert list(map(number_text, values)) == pl.Series(values, dtype=pl.Float64).cast(pl.String).to_list()


messages = st.one_of(st.none(), st.text(st.sampled_from("ab ,\"'é…:"), min_size=1, max_size=12).map("line 2: ".__add__))


@settings(max_examples=200, deadline=None)
@given(st.data(), st.integers(1, 4), st.integers(1, 12))
def test_both_writers_write_the_same_bytes(data, width: int, rows: int) -> None:
    """A small group is written in Python, a large one by polars: the same text either way."""
    values = data.draw(st.lists(st.floats(width=64), min_size=width * rows, max_size=width * rows))
    matrix = np.array(values, dtype=np.float64).reshape(rows, width)
    errors = data.draw(st.one_of(st.none(), st.lists(messages, min_size=rows, max_size=rows)))
    assert csv_rows(matrix, errors, polars=False) == csv_rows(matrix, errors, polars=True)
    names = ["x", "y_1", "w0"][: width - 1]
    records = None if errors is None else [None if e is None else '{"line": 2, "error": "e"}' for e in errors]
    assert jsonl_rows(names, matrix, records, polars=False) == jsonl_rows(names, matrix, records, polars=True)
