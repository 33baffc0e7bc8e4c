"""``grad --points``: stream records of points through one graph, a chunk at a time.

Records are read a chunk at a time (`CHUNK` lines), evaluated together by
`cgcli.batch.evaluate_arrays`, and written in the same format, one output
record per input record, in order; memory stays the same however long the
stream.  A record that cannot be read or evaluated becomes an error record
naming its line (JSON Lines: ``{"line": N, "error": "…"}``; CSV: the
``error`` column) and the stream goes on.  Blank lines are not records.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any, TextIO

import numpy as np

from .batch import evaluate_arrays
from .errors import UsageError
from .graph import Graph
from .present.numbers import strict

#: input lines read and evaluated together
CHUNK = 16_384


def guess_format(path: str, given: str | None) -> str:
    """``--points-format`` if given, else from the file's extension; standard input is JSON Lines."""
    if given:
        return given
    if path.lower().endswith(".csv"):  # (a .tsv is not comma-separated: no guess for it)
        return "csv"
    return "jsonl"


class Summary:
    """How many records were read and how many failed, for the closing warning."""

    def __init__(self) -> None:
        self.records = 0
        self.failed = 0
        self.first_failed = 0

    def fail(self, line: int) -> None:
        self.failed += 1
        self.first_failed = self.first_failed or line


def stream(graph: Graph, source: TextIO, sink: TextIO, fmt: str) -> Summary:
    """Evaluate every record of ``source`` and write one record per record to ``sink``.

    Raises:
        UsageError: the CSV header does not name exactly the expression's variables.
    """
    names = list(graph.variables)
    summary = Summary()
    if fmt == "csv":
        _csv(graph, names, source, sink, summary)
    else:
        _jsonl(graph, names, source, sink, summary)
    return summary


def _chunks(source: TextIO, first_line: int) -> Iterator[tuple[Sequence[int], list[str]]]:
    """(line numbers, lines) of the non-blank lines, CHUNK lines at a time."""
    number = first_line
    while True:
        block = list(islice(source, CHUNK))
        if not block:
            return
        if all(map(str.strip, block)):  # the common case, tested in C: no blank line
            yield range(number, number + len(block)), block
        else:
            kept = [(number + k, line) for k, line in enumerate(block) if line.strip()]
            if kept:
                numbers, lines = zip(*kept, strict=True)
                yield numbers, list(lines)
        number += len(block)


def _evaluate(graph: Graph, names: list[str], rows: Any) -> tuple[Any, dict[int, str]]:
    """Rows of values (one column per name) -> a matrix of value and gradient columns, and errors by row."""
    result = evaluate_arrays(graph, {name: rows[:, k] for k, name in enumerate(names)})
    out = np.column_stack([result.value, *(result.gradient[name] for name in names)])
    return out, result.errors


# -- CSV ------------------------------------------------------------------


def _csv(graph: Graph, names: list[str], source: TextIO, sink: TextIO, summary: Summary) -> None:
    header_line = source.readline()
    header = [h.strip() for h in next(csv.reader([header_line]), [])]
    missing = [n for n in names if n not in header]
    unknown = [h for h in header if h not in names]
    if missing or unknown or len(set(header)) != len(header):
        uses = ", ".join(names) or "no variables"
        raise UsageError(f"the CSV header must name the expression's variables ({uses}), not {header_line.strip()!r}")
    order = [header.index(n) for n in names]  # file column of each variable
    sink.write(",".join(["value", *(f"d_{n}" for n in names), "error"]) + "\n")
    blank = "," * (len(names) + 1)
    for numbers, lines in _chunks(source, 2):
        values, errors = _read_csv(lines, len(header))
        good = [k for k in range(len(lines)) if k not in errors]
        formatted: list[str] = []
        if good:
            matrix, failed = _evaluate(graph, names, values[good][:, order])
            for k, message in failed.items():
                errors[good[k]] = message
            formatted = list(map(",".join, _texts(matrix)))
        summary.records += len(lines)
        if not errors:
            sink.write(",\n".join(formatted) + ",\n")
            continue
        out = []
        rows = dict(zip(good, formatted, strict=True))
        for k in range(len(lines)):
            if k in errors:
                out.append(blank + _csv_field(f"line {numbers[k]}: {errors[k]}") + "\n")
                summary.fail(numbers[k])
            else:
                out.append(rows[k] + ",\n")
        sink.write("".join(out))


def _read_csv(lines: list[str], width: int) -> tuple[Any, dict[int, str]]:
    """The chunk as a float matrix, and a reason for each line that is not ``width`` finite numbers."""
    try:  # the common case: every line well formed, converted by NumPy's C reader in one call
        # NOTE: it reads less than float() does ("1_000", " ١"): any doubt goes line by line below
        values = np.loadtxt(lines, delimiter=",", comments=None, dtype=np.float64, ndmin=2)
        if values.shape == (len(lines), width) and np.isfinite(values).all():
            return values, {}
    except ValueError:
        pass
    values = np.zeros((len(lines), width))
    errors: dict[int, str] = {}
    for k, line in enumerate(lines):
        fields = next(csv.reader([line]), [])
        if len(fields) != width:
            errors[k] = f"expected {width} values, got {len(fields)}"
            continue
        for c, text in enumerate(fields):
            try:
                v = float(text)
            except ValueError:
                v = math.nan
            if not math.isfinite(v):
                errors[k] = f"value {c + 1} must be a finite number, not {text.strip()!r}"
                break
            values[k, c] = v
    return values, errors


def _texts(matrix: Any) -> Iterator[tuple[str, ...]]:
    """Each row of ``matrix`` as a tuple of texts, with the loops in C (map, zip), not Python.

    repr is the shortest text that reads back as the same double.
    """
    numbers = map(repr, matrix.ravel().tolist())
    return zip(*[numbers] * matrix.shape[1], strict=True)


def _csv_field(text: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([text])
    return buffer.getvalue()


# -- JSON Lines ------------------------------------------------------------


def _jsonl(graph: Graph, names: list[str], source: TextIO, sink: TextIO, summary: Summary) -> None:
    keys = [json.dumps(n) for n in names]
    finite_format = '{"value": %s, "gradient": {' + ", ".join(f"{k}: %s" for k in keys) + "}}\n"
    for numbers, lines in _chunks(source, 1):
        records = _read_jsonl(lines)
        values = np.zeros((len(lines), len(names)))
        errors: dict[int, str] = {}
        for k, record in enumerate(records):
            reason = _check_record(record, names)
            if reason:
                errors[k] = reason
            else:
                values[k] = [record[n] for n in names]
        good = [k for k in range(len(lines)) if k not in errors]
        matrix = np.zeros((0, len(names) + 1))
        if good:
            matrix, failed = _evaluate(graph, names, values[good])
            for k, message in failed.items():
                errors[good[k]] = message
        summary.records += len(lines)
        if not errors and np.isfinite(matrix).all():  # the common case, with the loops in C
            sink.write("".join(map(finite_format.__mod__, _texts(matrix))))
            continue
        rows = dict(zip(good, matrix.tolist(), strict=True))
        out = []
        for k in range(len(lines)):
            if k in errors:
                out.append(json.dumps({"line": numbers[k], "error": errors[k]}, ensure_ascii=False) + "\n")
                summary.fail(numbers[k])
                continue
            row = rows[k]
            if all(map(math.isfinite, row)):
                out.append(finite_format % tuple(map(repr, row)))
            else:  # SPEC.md: non-finite numbers are the strings "inf", "-inf", "nan"
                gradient = dict(zip(names, (strict(g) for g in row[1:]), strict=True))
                out.append(json.dumps({"value": strict(row[0]), "gradient": gradient}) + "\n")
        sink.write("".join(out))


_UNREADABLE = object()


def _read_jsonl(lines: list[str]) -> list[Any]:
    """Each line's JSON value, or `_UNREADABLE`; the whole chunk in one call when it is all valid."""
    try:
        records = json.loads("[" + ",".join(lines) + "]")
        if len(records) == len(lines):
            return records
    except ValueError:
        pass
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            records.append(_UNREADABLE)
    return records


def _check_record(record: Any, names: list[str]) -> str:
    """Why ``record`` is not an object of exactly the variables' finite values ("" if it is)."""
    if record is _UNREADABLE:
        return "not valid JSON"
    if not isinstance(record, dict):
        return "expected an object of variable values, like {" + ", ".join(f'"{n}": 1.0' for n in names) + "}"
    missing = [n for n in names if n not in record]
    if missing:
        return "missing value for " + ", ".join(missing)
    unknown = [k for k in record if k not in names]
    if unknown:
        return "the expression does not use " + ", ".join(unknown)
    for name in names:
        v = record[name]
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(_float(v)):
            return f"the value of {name} must be a finite number, not {json.dumps(v)[:40]}"
    return ""


def _float(v: float) -> float:
    try:
        return float(v)
    except OverflowError:  # an integer of 400 digits
        return math.inf
