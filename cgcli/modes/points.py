"""``grad --points``: stream records of points through one graph, a chunk at a time.

Records are read a chunk at a time (`CHUNK` lines), evaluated together by
`cgcli.evaluators.batch.evaluate_arrays`, and written in the same format, one output
record per input record, in order; memory stays the same however long the
stream.  A record that cannot be read or evaluated becomes an error record
naming its line (JSON Lines: ``{"line": N, "error": "…"}``; CSV: the
``error`` column) and the stream goes on.  Blank lines are not records.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import operator
import warnings
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TextIO

import numpy as np

from ..core.graph import Graph
from ..core.number_rule import DECIMAL
from ..errors import UsageError
from ..evaluators.batch import evaluate_arrays
from ..present.numbers import strict

#: input lines read and evaluated together, where lines go one by one
CHUNK = 16_384

#: characters of CSV read and evaluated together, where a block is well formed
BLOCK = 1 << 20


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


def _numbered(lines: Iterable[str], first_line: int) -> Iterator[tuple[Sequence[int], list[str]]]:
    """(line numbers, lines) of the non-blank ``lines``, CHUNK lines at a time."""
    number = first_line
    source = iter(lines)
    while True:
        block = list(islice(source, CHUNK))
        if not block:
            return
        if all(map(str.strip, block)):  # the common case, tested in C: no blank line
            yield range(number, number + len(block)), block
        else:
            kept = [(number + k, line) for k, line in enumerate(block) if line.strip()]
            if kept:
                numbers, lines_kept = zip(*kept, strict=True)
                yield numbers, list(lines_kept)
        number += len(block)


def _evaluate(graph: Graph, names: list[str], rows: Any) -> tuple[Any, dict[int, str]]:
    """Rows of values (one column per name) -> a matrix of value and gradient columns, and errors by row."""
    result = evaluate_arrays(graph, {name: rows[:, k] for k, name in enumerate(names)})
    out = np.column_stack([result.value, *(result.gradient[name] for name in names)])
    return out, result.errors


# -- CSV ------------------------------------------------------------------


def _csv(graph: Graph, names: list[str], source: TextIO, sink: TextIO, summary: Summary) -> None:
    header_line = source.readline()
    try:
        header = [h.strip() for h in next(csv.reader([header_line]), [])]
    except csv.Error as e:
        raise UsageError(f"cannot read the CSV header: {e}") from None
    missing = [n for n in names if n not in header]
    unknown = [h for h in header if h not in names]
    if missing or unknown or len(set(header)) != len(header):
        uses = ", ".join(names) or "no variables"
        raise UsageError(f"the CSV header must name the expression's variables ({uses}), not {header_line.strip()!r}")
    order = [header.index(n) for n in names]  # file column of each variable
    sink.write(",".join(["value", *(f"d_{n}" for n in names), "error"]) + "\n")
    line = 2
    for block in _blocks(source):
        count = block.count("\n")
        values = _read_block(block, count, len(header))
        if values is None:  # some line is blank or not `width` finite numbers: line by line
            for numbers, lines in _numbered(block.split("\n")[:-1], line):
                values, errors = _read_csv(lines, len(header))
                good = [k for k in range(len(lines)) if k not in errors]
                _csv_records(graph, names, numbers, good, values[good][:, order], errors, sink, summary)
        else:  # the common case: the block was read in C
            _csv_records(graph, names, range(line, line + count), range(count), values[:, order], {}, sink, summary)
        line += count


def _csv_records(
    graph: Graph,
    names: list[str],
    numbers: Sequence[int],
    good: Sequence[int],
    values: Any,
    errors: dict[int, str],
    sink: TextIO,
    summary: Summary,
) -> None:
    """Write a record per line: the ``good`` lines' results from ``values``, an error record for the rest.

    ``errors`` holds the unreadable lines' reasons (by index in ``numbers``); the
    points outside a domain join them.
    """
    matrix = np.zeros((0, len(names) + 1))
    if len(good):
        matrix, failed = _evaluate(graph, names, values)
        errors.update({good[k]: message for k, message in failed.items()})
    summary.records += len(numbers)
    if not errors and np.isfinite(matrix).all():  # the common case, written in C
        sink.write(_json_numbers(matrix)[2:-2].replace("],[", ",\n") + ",\n")
        return
    formatted = dict(zip(good, map(",".join, _texts(matrix)), strict=True))
    blank = "," * (len(names) + 1)
    out = []
    for k, number in enumerate(numbers):
        if k in errors:
            out.append(blank + _csv_field(f"line {number}: {errors[k]}") + "\n")
            summary.fail(number)
        else:
            out.append(formatted[k] + ",\n")
    sink.write("".join(out))


def _blocks(source: TextIO) -> Iterator[str]:
    """The text of ``source`` in pieces of whole lines (each ends with a newline), about BLOCK long."""
    pending: list[str] = []  # a list, not one string: a line longer than BLOCK is joined once
    while True:
        piece = source.read(BLOCK)
        if not piece:
            if pending:
                yield "".join(pending) + "\n"
            return
        cut = piece.rfind("\n") + 1
        if not cut:
            pending.append(piece)
            continue
        yield "".join([*pending, piece[:cut]])
        pending = [piece[cut:]] if cut < len(piece) else []


def _read_block(block: str, count: int, width: int) -> Any:
    """The block as a float matrix, when its ``count`` lines are all ``width`` finite numbers (else None).

    NOTE: NumPy's C reader accepts less than float() does ("1_000", " ١"), and skips
    blank lines (so the count tells): any doubt goes line by line.
    """
    try:
        with warnings.catch_warnings():  # "input contained no data": a block of blank lines
            warnings.simplefilter("ignore")
            values = np.loadtxt(io.StringIO(block), delimiter=",", comments=None, dtype=np.float64, ndmin=2)
    except ValueError:
        return None
    return values if values.shape == (count, width) and np.isfinite(values).all() else None


def _read_csv(lines: list[str], width: int) -> tuple[Any, dict[int, str]]:
    """The chunk as a float matrix, and a reason for each line that is not ``width`` finite numbers."""
    values = np.zeros((len(lines), width))
    errors: dict[int, str] = {}
    for k, line in enumerate(lines):
        try:
            fields = next(csv.reader([line]), [])
        except csv.Error as e:  # a field over the csv module's limit (131,072 characters)
            errors[k] = f"not a line of CSV: {e}"
            continue
        if len(fields) != width:
            errors[k] = f"expected {width} values, got {len(fields)}"
            continue
        for c, text in enumerate(fields):
            try:  # the one rule for numbers (cgcli.core.number_rule): float() alone takes "1_000", "١٢"
                v = float(text) if DECIMAL.match(text.strip()) else math.nan
            except ValueError:
                v = math.nan
            if not math.isfinite(v):
                errors[k] = f"value {c + 1} must be a finite number, not {text.strip()!r}"
                break
            values[k, c] = v
    return values, errors


def _texts(matrix: Any) -> Iterator[tuple[str, ...]]:
    """Each row of ``matrix`` as a tuple of texts ("nan", "inf" where not finite), with the loops in C."""
    if not matrix.size:
        return iter(())
    finite = np.isfinite(matrix)
    texts = _json_numbers(np.where(finite, matrix, 0.0))[2:-2].replace("],[", ",").split(",")
    if not finite.all():  # the rare case: repr says "nan", "inf", "-inf"
        for k in np.flatnonzero(~finite).tolist():
            texts[k] = repr(float(matrix.flat[k]))
    numbers = iter(texts)
    return zip(*[numbers] * matrix.shape[1], strict=True)


def _json_numbers(matrix: Any) -> str:
    """A finite matrix as JSON text, "[[1.5,-2.0],[…]]".

    orjson writes the shortest text that reads back as the same double, as
    repr does (bar the exponent's padding: 1e-7, not 1e-07), some fifteen
    times faster on this machine: see README, Performance.
    """
    import orjson

    return orjson.dumps(matrix, option=orjson.OPT_SERIALIZE_NUMPY).decode()


def _csv_field(text: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([text])
    return buffer.getvalue()


# -- JSON Lines ------------------------------------------------------------


def _jsonl(graph: Graph, names: list[str], source: TextIO, sink: TextIO, summary: Summary) -> None:
    keys = [json.dumps(n) for n in names]
    finite_format = '{"value": %s, "gradient": {' + ", ".join(f"{k}: %s" for k in keys) + "}}\n"
    for numbers, lines in _numbered(source, 1):
        records = _read_jsonl(lines)
        errors: dict[int, str] = {}
        values = _values(records, names)
        if values is None:  # some record is not an object of finite numbers: look at each
            values = np.zeros((len(lines), len(names)))
            for k, record in enumerate(records):
                reason = _check_record(record, names, graph)
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
        texts = list(_texts(matrix))
        finite: Any = np.isfinite(matrix).all(axis=1)  # by row
        if not errors and finite.all():  # the common case, with the loops in C
            sink.write("".join(map(finite_format.__mod__, texts)))
            continue
        rows = {k: j for j, k in enumerate(good)}
        out = []
        for k in range(len(lines)):
            if k in errors:
                out.append(json.dumps({"line": numbers[k], "error": errors[k]}, ensure_ascii=False) + "\n")
                summary.fail(numbers[k])
            elif finite[rows[k]]:
                out.append(finite_format % texts[rows[k]])
            else:  # SPEC.md: non-finite numbers are the strings "inf", "-inf", "nan"
                value, *gradient = (strict(v) for v in matrix[rows[k]].tolist())
                out.append(json.dumps({"value": value, "gradient": dict(zip(names, gradient, strict=True))}) + "\n")
        sink.write("".join(out))


def _values(records: list[Any], names: list[str]) -> Any:
    """The records as a float matrix, when every one is an object of exactly ``names``, each a
    finite int or float (else None); the loops run in C (map, itemgetter), not per record."""
    try:
        if set(map(len, records)) != {len(names)}:
            return None
        rows = list(map(operator.itemgetter(*names), records))
    except (TypeError, KeyError):  # a record that is no object, or lacks a name
        return None
    if len(names) == 1:
        rows = [(v,) for v in rows]  # itemgetter of one name gives the value itself
    if not {float, int}.issuperset(map(type, itertools.chain.from_iterable(rows))):
        return None  # true/false, strings, null, lists: _check_record names the fault
    try:
        values = np.array(rows, dtype=np.float64).reshape(len(records), len(names))
    except OverflowError:  # an integer of 400 digits
        return None
    return values if np.isfinite(values).all() else None


_UNREADABLE = object()


def _read_jsonl(lines: list[str]) -> list[Any]:
    """Each line's JSON value, or `_UNREADABLE`; the whole chunk in one call when it is all valid."""
    import orjson

    try:  # orjson reads less than json does (NaN, huge integers): any doubt goes line by line
        records = orjson.loads("[" + ",".join(lines) + "]")
        if len(records) == len(lines):
            return records
    except orjson.JSONDecodeError:
        pass
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            records.append(_UNREADABLE)
    return records


def _check_record(record: Any, names: list[str], graph: Graph) -> str:
    """Why ``record`` is not an object of exactly the variables' finite values ("" if it is)."""
    if record is _UNREADABLE:
        return "not valid JSON"
    if not isinstance(record, dict):
        return "expected an object of variable values, like {" + ", ".join(f'"{n}": 1.0' for n in names) + "}"
    missing = [n for n in names if n not in record]
    if missing:
        return "missing value for " + ", ".join(missing)
    unknown = [k for k in record if k not in names]
    defined = [k for k in unknown if k in graph.definitions]
    if defined:  # a program's own name: computed from its definition, never given
        return f"{defined[0]} is defined by the program and takes no value from a record"
    unknown = [k for k in unknown if k not in graph.unused_variables]  # not evaluated: needs no value
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
