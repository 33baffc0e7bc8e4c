"""``grad --points``: stream records of points through one graph, a group of lines at a time.

The contract (SPEC.md): exactly one output record per input record, in
order, however malformed the input; a record that fails for any reason
becomes that line's error record and no other record is affected.

It holds by construction, in three steps:

1. `_blocks` cuts the bytes into blocks of whole physical lines (a line
   ends at ``\\n``; a ``\\r`` just before it is dropped), each line at most
   `MAX_RECORD` bytes; a longer line is skipped as it streams by and
   becomes an error record, so memory stays bounded.  Line numbers count
   every physical line, the CSV header included.
2. Blocks are joined into groups (`_grouped`: up to GROUP bytes or
   GROUP_LINES lines).  Each group is read either fast (polars for CSV,
   orjson over each line for JSON Lines) or line by line.  The fast CSV
   reader only sees a group it cannot misread: nothing but ASCII digits,
   ``+-.eE``, commas and newlines, and no blank line; it must then return
   one complete row of finite numbers per line, or the group goes line by
   line.  JSON Lines are parsed one line per call, so no line can borrow
   another's record.  A group under SMALL lines always goes line by line
   and is written in Python (`number_text`, polars' own text), so that a
   short input does not import polars.
3. The good records are evaluated together (`evaluate_arrays`, given the
   record count, so a graph without variables still answers every one),
   and the group's records are written in one write call, SIGINT held back
   meanwhile: an interrupted run leaves whole records only.

A number follows one rule everywhere: JSON Lines takes JSON numbers; CSV
takes `NUMBER` (``[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?``, ASCII digits,
spaces or tabs around it), as ``--x=VALUE`` does.  See docs/points.md.
"""

from __future__ import annotations

import csv
import io
import json
import math
import operator
import select
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any, BinaryIO

import numpy as np

from ..core.graph import Graph
from ..core.number_rule import DECIMAL
from ..errors import LISTED, UsageError
from ..evaluators.batch import evaluate_arrays

#: the longest record (a line without its newline), in bytes; a longer one is an error record
MAX_RECORD = 1 << 20

#: bytes read at a time; a block is these bytes cut back to the last whole line
BLOCK = 1 << 20

#: a group of fewer lines is read line by line and written by Python, not polars, so that a
#: short input does not pay for importing polars; the text is the same (tests/test_points_reader.py)
SMALL = 2_000

#: blocks are evaluated and written in groups of about this many bytes or lines, whichever
#: comes first (fewer, larger calls into polars; memory follows the lines, not the bytes)
GROUP = 4 << 20
GROUP_LINES = 65_536

BOM = b"\xef\xbb\xbf"

#: a CSV value: the one rule for numbers (cgcli.core.number_rule), as for ``--x=VALUE``:
#: ASCII digits only (no 1_000, no Unicode digits, no inf)
NUMBER = DECIMAL

#: the bytes of a block polars may read: anything else goes line by line
_NUMERIC_BYTES = b"0123456789+-.eE,\n"


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


def stream(graph: Graph, source: BinaryIO, sink: BinaryIO, fmt: str) -> Summary:
    """Evaluate every record of ``source`` and write one record per record to ``sink`` (UTF-8 bytes).

    Raises:
        UsageError: the CSV header does not name exactly the expression's variables.
    """
    names = list(graph.variables)
    summary = Summary()
    blocks = _Blocks(_blocks(source), _idle(source))
    writer = _Writer(sink)
    if fmt == "csv":
        _csv(graph, names, blocks, writer, summary)
    else:
        _jsonl(graph, names, blocks, writer, summary)
    return summary


class _Writer:
    """Writes a block of whole records per call and flushes it, with SIGINT held until it is out."""

    def __init__(self, sink: BinaryIO) -> None:
        self.sink = sink
        # NOTE: a Ctrl-C inside a write could leave half a record; blocked, it arrives just after
        self.mask = hasattr(signal, "pthread_sigmask")

    def write(self, data: bytes) -> None:
        if not data:
            return
        if self.mask:
            old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                self.sink.write(data)
                self.sink.flush()
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, old)
        else:
            self.sink.write(data)
            self.sink.flush()


def _blocks(source: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(number of the first line, its block): whole lines, each ending in a newline and at most
    MAX_RECORD long; ``None`` for one line that is longer (skipped, never held whole), unless
    it is blank: then, as any blank line, it is no record."""
    number = 1
    tail = b""  # the unfinished line so far
    skipping = False  # inside a line longer than MAX_RECORD
    blank = False  # and all of it seen so far is blank (then it is no record, however long)
    first = True
    # read1: what the source has now (up to BLOCK), not a wait for a whole BLOCK from a slow pipe
    read = getattr(source, "read1", source.read)
    while True:
        piece = read(BLOCK)
        if first:
            first = False
            while piece and len(piece) < len(BOM) and BOM.startswith(piece):  # a pipe that trickles
                more = read(BLOCK)
                if not more:
                    break
                piece += more
            piece = piece.removeprefix(BOM)  # what spreadsheets write at the top of "CSV UTF-8"
        if not piece:
            if skipping and not blank:
                yield number, None
            elif tail:
                yield number, tail + b"\n"
            return
        if skipping:
            cut = piece.find(b"\n")
            if cut < 0:
                blank = blank and _is_blank(piece)
                continue
            if not (blank and _is_blank(piece[:cut])):
                yield number, None
            number += 1
            skipping = False
            piece = piece[cut + 1 :]
        end = piece.rfind(b"\n") + 1
        if not end:
            tail += piece
            if len(tail) > MAX_RECORD:
                skipping, blank, tail = True, _is_blank(tail), b""
            continue
        start = 0
        head = piece.find(b"\n")
        if len(tail) + head > MAX_RECORD:  # the line that began before this piece is too long
            if not (_is_blank(tail) and _is_blank(piece[:head])):
                yield number, None
            number += 1
            start, tail = head + 1, b""
        block = tail + piece[start:end] if tail else piece[start:end]
        if block:
            yield number, block
            number += block.count(b"\n")
        tail = piece[end:]
        if len(tail) > MAX_RECORD:  # (only where BLOCK > MAX_RECORD)
            skipping, blank, tail = True, _is_blank(tail), b""


def _grouped(blocks: _Blocks) -> Iterator[tuple[int, bytes | None]]:
    """Consecutive blocks joined into groups of about GROUP bytes; an over-long line passes alone.

    A group also ends where the source has nothing more ready, so that a slow producer is answered
    as it goes rather than once GROUP bytes have come.
    """
    first, size, lines = 0, 0, 0
    pieces: list[bytes] = []
    for number, block in blocks:
        if block is None or not pieces:
            if pieces:
                yield first, b"".join(pieces)
                pieces, size, lines = [], 0, 0
            if block is None:
                yield number, None
                continue
            first = number
        pieces.append(block)
        size += len(block)
        lines += block.count(b"\n")
        if size >= GROUP or lines >= GROUP_LINES or blocks.idle():
            yield first, b"".join(pieces)
            pieces, size, lines = [], 0, 0
    if pieces:
        yield first, b"".join(pieces)


def _lines(block: bytes) -> list[bytes]:
    """The block's lines, without their newline (or the CR before it)."""
    lines = block.split(b"\n")
    lines.pop()  # after the last newline
    if b"\r" in block:
        lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
    return lines


def _is_blank(line: bytes) -> bool:
    return not line.strip(b" \t\r")


TOO_LONG = f"longer than {MAX_RECORD:,} bytes (the limit of a record)"


def _not_utf8(line: bytes) -> str | None:
    """Why ``line`` is not UTF-8 (at which byte), or None; its bytes are never echoed."""
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as e:
        return f"not UTF-8 text (byte {e.start + 1} of the line)"
    return None


def _shown(text: str) -> str:
    """A user's text as a message quotes it: cut short, non-printable characters escaped."""
    return repr(text[:40]) + ("…" if len(text) > 40 else "")


def _name_text(name: str) -> str:
    return name if name.isidentifier() and name.isascii() and len(name) <= 40 else _shown(name)


def _listed(names: Sequence[str]) -> str:
    """At most LISTED names, as every other message lists them."""
    more = f" … and {len(names) - LISTED:,} more" if len(names) > LISTED else ""
    return ", ".join(map(_name_text, names[:LISTED])) + more


def _evaluate(graph: Graph, names: list[str], rows: Any) -> tuple[Any, dict[int, str]]:
    """Rows of values (one column per name) -> a matrix of value and gradient columns, and errors by row."""
    result = evaluate_arrays(graph, {name: rows[:, k] for k, name in enumerate(names)}, size=len(rows))
    # column-major: each column goes to the writer (polars) without a copy
    out = np.empty((len(rows), len(names) + 1), order="F")
    for j, column in enumerate([result.value, *(result.gradient[name] for name in names)]):
        out[:, j] = column
    return out, result.errors


# -- CSV ------------------------------------------------------------------


def _csv(graph: Graph, names: list[str], blocks: _Blocks, writer: _Writer, summary: Summary) -> None:
    header = _csv_header(names, blocks)
    order = [header.index(n) for n in names]  # file column of each variable
    columns = ["value", *(f"d_{n}" for n in names), "error"]
    writer.write(_csv_text([columns]).encode())
    for number, block in _grouped(blocks):
        if block is None:
            _csv_write(graph, names, [number], [], np.zeros((0, len(names))), {0: TOO_LONG}, writer, summary)
            continue
        count = block.count(b"\n")
        values = _read_block(block, count, len(header)) if count >= SMALL else None
        if values is not None:  # the common case: the block was read in C
            columns = values if order == list(range(len(order))) else values[:, order]  # no copy in file order
            _csv_write(graph, names, range(number, number + count), range(count), columns, {}, writer, summary)
            continue
        numbers: list[int] = []
        rows: list[list[float]] = []
        errors: dict[int, str] = {}
        for k, line in enumerate(_lines(block)):
            if _is_blank(line):
                continue  # not a record
            reason, row = _read_line(line, header)
            if reason:
                errors[len(numbers)] = reason
            else:
                rows.append(row)
            numbers.append(number + k)
        good = [k for k in range(len(numbers)) if k not in errors]
        matrix = np.array(rows, dtype=np.float64).reshape(len(rows), len(header))
        _csv_write(graph, names, numbers, good, matrix[:, order], errors, writer, summary)


def _csv_header(names: list[str], blocks: _Blocks) -> list[str]:
    """The header's names (the first line of the first block); the rest of that block is put back."""
    uses = _listed(names) or "no variables"
    first = next(blocks, (1, b""))
    number, block = first
    if block is None:
        raise UsageError(f"the CSV header is {TOO_LONG}")
    cut = block.find(b"\n") + 1
    line = _lines(block[:cut])[0] if cut else b""
    rest = block[cut:]
    if _not_utf8(line):
        raise UsageError(f"cannot read the CSV header: {_not_utf8(line)}")
    text = line.decode("utf-8")
    try:
        header = [h.strip() for h in next(csv.reader([text]), [])]
    except csv.Error as e:  # a field over the csv module's limit (131,072 characters)
        raise UsageError(f"cannot read the CSV header: {e}") from None
    missing = [n for n in names if n not in header]
    unknown = [h for h in header if h not in names]
    twice = sorted({h for h in header if header.count(h) > 1}) if len(set(header)) != len(header) else []
    if missing or unknown or twice:
        faults = [f"missing {_listed(missing)}" if missing else "", f"unknown {_listed(unknown)}" if unknown else ""]
        faults.append(f"named twice {_listed(twice)}" if twice else "")
        fault = "; ".join(filter(None, faults))
        raise UsageError(f"the CSV header must name the expression's variables ({uses}): {fault}")
    if rest:
        blocks.pending = (number + 1, rest)
    return header


def _idle(source: BinaryIO) -> Callable[[], bool]:
    """A test of whether ``source`` has no bytes ready: then what is read so far is answered at once.

    A file is always ready, so it is read in whole groups; a pipe whose writer pauses
    (``tail -f log | cgcli grad … --points -``) gets each record's answer as it comes.
    """
    try:
        fd = source.fileno()
    except (AttributeError, OSError, ValueError):  # an in-memory stream: all of it is there
        return lambda: False

    def idle() -> bool:
        try:
            ready, _, _ = select.select([fd], [], [], 0)
        except (OSError, ValueError):
            return False
        return not ready

    return idle


class _Blocks:
    """An iterator of blocks that can take one back (the rest of the header's block)."""

    def __init__(self, blocks: Iterator[tuple[int, bytes | None]], idle: Callable[[], bool]) -> None:
        self.blocks = blocks
        self.pending: tuple[int, bytes | None] | None = None
        #: whether the source has nothing more to read right now (a producer that is slower than us)
        self.idle = idle

    def __iter__(self) -> _Blocks:
        return self

    def __next__(self) -> tuple[int, bytes | None]:
        if self.pending is not None:
            item, self.pending = self.pending, None
            return item
        return next(self.blocks)


def _read_block(block: bytes, count: int, width: int) -> Any:
    """The block as a float matrix, when its ``count`` lines are surely ``width`` finite numbers each
    (else None: the block goes line by line).

    NOTE: polars reads a superset of `NUMBER` in general (quotes, inf, blank
    lines as nulls); only bytes of the rule's alphabet reach it, with no blank
    line; a line with fewer fields gives nulls, one with more an error, and any row it does not fill with
    finite numbers sends the block line by line.  tests/test_points_reader.py
    checks that polars refuses every text of that alphabet that NUMBER refuses.
    """
    if block.translate(None, _NUMERIC_BYTES) or block.startswith(b"\n") or b"\n\n" in block:
        return None
    import polars as pl

    schema = {f"c{k}": pl.Float64 for k in range(width)}
    try:
        frame = pl.read_csv(block, has_header=False, schema=schema, quote_char=None)
    except Exception:  # noqa: BLE001 - polars' own errors (ComputeError, SchemaError): any doubt goes slow
        return None
    if frame.height != count or any(frame.null_count().row(0)):
        return None
    # column-major: the evaluator reads a column per variable
    values = frame.to_numpy(order="fortran") if width else np.zeros((count, 0))
    return values if values.shape == (count, width) and np.isfinite(values).all() else None


def _read_line(line: bytes, header: list[str]) -> tuple[str, list[float]]:
    """(why the line is not one number per ``header`` name, or ""; its values)."""
    width = len(header)
    reason = _not_utf8(line)
    if reason:
        return reason, []
    if b"\r" in line:  # JSON Lines reads it as a space; in CSV it would be a line break inside a field
        return "a carriage return inside the line (a line ends with LF or CR LF)", []
    try:
        fields = next(csv.reader([line.decode("utf-8")]), [])
    except csv.Error as e:  # a field over the csv module's limit (131,072 characters)
        return f"not a line of CSV: {e}", []
    if len(fields) != width:
        return f"expected {width} values, got {len(fields)}", []
    row = []
    for c, field in enumerate(fields):
        text = field.strip(" \t")
        if not NUMBER.match(text):
            return f"the value of {header[c]} must be a decimal number such as -2, 0.5 or 1e-3, not {_shown(field)}", []
        v = float(text)
        if not math.isfinite(v):
            return f"the value of {header[c]}, {_shown(text)}, overflows a double (the largest is about 1.8e308)", []
        row.append(v)
    return "", row


def _csv_write(
    graph: Graph,
    names: list[str],
    numbers: Sequence[int],
    good: Sequence[int],
    values: Any,
    errors: dict[int, str],
    writer: _Writer,
    summary: Summary,
) -> None:
    """Write a record per line: the ``good`` lines' results, an error record for the rest.

    ``errors`` holds the unreadable lines' reasons (by index in ``numbers``); the
    points outside a domain join them.  Every number is written by polars, the
    same text whichever way its block was read.
    """
    matrix = np.zeros((0, len(names) + 1))
    if len(good):
        matrix, failed = _evaluate(graph, names, values)
        errors.update({good[k]: message for k, message in failed.items()})
    summary.records += len(numbers)
    texts: list[str | None] | None = None
    if errors:
        full = np.full((len(numbers), len(names) + 1), np.nan)
        full[np.asarray(good, dtype=np.intp)] = matrix
        matrix, texts = full, [None] * len(numbers)
        for k, message in errors.items():
            texts[k] = f"line {numbers[k]}: {message}"
            summary.fail(numbers[k])
    writer.write(csv_rows(matrix, texts, polars=len(numbers) >= SMALL))


def csv_rows(matrix: Any, errors: list[str | None] | None, polars: bool) -> bytes:
    """CSV rows: the numbers of each row of ``matrix`` and an empty error field, or, where
    ``errors`` has a message, empty number fields and the message.

    ``polars`` chooses the writer: polars' (fast in bulk), or its twin in Python for a
    few rows (no polars import); tests/test_points_reader.py checks they write the same bytes.
    """
    width = matrix.shape[1]
    if not polars:
        blank = "," * width
        out = []
        for k, row in enumerate(matrix.tolist()):
            message = errors[k] if errors is not None else None
            if message is None:
                out.append(",".join(map(number_text, row)) + ",\n")
            else:
                out.append(blank + _csv_text([[message]]))
        return "".join(out).encode()
    import polars as pl

    columns = [f"c{j}" for j in range(width)]
    frame = pl.DataFrame({c: matrix[:, j] for j, c in enumerate(columns)})
    if errors is not None:
        bad = pl.Series([e is not None for e in errors])
        # an error row has no numbers: null, which polars writes as an empty field
        frame = frame.with_columns(pl.when(bad).then(None).otherwise(pl.col(c)).alias(c) for c in columns)
        frame = frame.with_columns(pl.Series("error", errors, dtype=pl.String))
    else:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("error"))
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False)
    return buffer.getvalue()


def number_text(v: float) -> str:
    """A double as polars writes it: repr's shortest digits, an unpadded exponent (1e-7, not
    1e-07), positional from 1e-5 on (0.000015, where repr writes 1.5e-05); inf, -inf, NaN."""
    text = repr(v)
    if "e-0" in text:
        if text.endswith("e-05"):
            mantissa = text[:-4]
            sign = "-" if mantissa.startswith("-") else ""
            return sign + "0.0000" + mantissa.lstrip("-").replace(".", "")
        return text.replace("e-0", "e-")
    return "NaN" if text == "nan" else text


def _csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


# -- JSON Lines ------------------------------------------------------------


def _jsonl(graph: Graph, names: list[str], blocks: _Blocks, writer: _Writer, summary: Summary) -> None:
    for number, block in _grouped(blocks):
        if block is None:
            summary.records += 1
            summary.fail(number)
            writer.write(_error_record(number, TOO_LONG))
            continue
        lines = _lines(block)
        numbers: Sequence[int] = range(number, number + len(lines))
        if not all(map(bytes.strip, lines)):  # tested in C: some line may be blank
            kept = [(number + k, line) for k, line in enumerate(lines) if not _is_blank(line)]
            numbers = [n for n, _ in kept]
            lines = [line for _, line in kept]
        errors: dict[int, str] = {}
        values = _read_jsonl_block(lines, names)
        if values is None:  # some line is not one object of finite numbers: read and look at each
            values = np.zeros((len(lines), len(names)))
            for k, line in enumerate(lines):
                record = _load(line)
                reason = _check_record(record, names, graph)
                if reason:
                    errors[k] = reason
                else:
                    values[k] = [record[n] for n in names]
        good: Sequence[int] = [k for k in range(len(lines)) if k not in errors] if errors else range(len(lines))
        matrix = np.zeros((0, len(names) + 1))
        if good:
            matrix, failed = _evaluate(graph, names, values[good] if errors else values)
            for k, message in failed.items():
                errors[good[k]] = message
        summary.records += len(lines)
        texts: list[str | None] = [None] * len(lines)
        for k, message in errors.items():
            texts[k] = _error_record(numbers[k], message).decode()[:-1]
            summary.fail(numbers[k])
        writer.write(_jsonl_text(names, good, matrix, texts if errors else None))


def _jsonl_text(names: list[str], good: Sequence[int], matrix: Any, errors: list[str | None] | None) -> bytes:
    """The block's output lines: ``{"value": …, "gradient": {…}}`` from ``matrix``'s rows at ``good``,
    the error record where ``errors`` has one; every number as polars writes it, as in CSV."""
    size = len(errors) if errors is not None else len(matrix)
    full = matrix
    if errors is not None:
        full = np.full((size, len(names) + 1), np.nan)
        full[np.asarray(good, dtype=np.intp)] = matrix
    return jsonl_rows(names, full, errors, polars=size >= SMALL)


def _json_number(v: float) -> str:
    # SPEC.md: non-finite numbers are the strings "inf", "-inf", "nan"
    return number_text(v) if math.isfinite(v) else f'"{repr(v)}"'


def jsonl_rows(names: list[str], matrix: Any, errors: list[str | None] | None, polars: bool) -> bytes:
    """JSON Lines records from the rows of ``matrix`` (value, then a gradient per name), or the
    error record where ``errors`` has one; ``polars`` chooses the writer, as for `csv_rows`."""
    keys = [json.dumps(name) for name in names]
    if not polars:
        out = []
        for k, row in enumerate(matrix.tolist()):
            message = errors[k] if errors is not None else None
            if message is None:
                value, *gradient = map(_json_number, row)
                pairs = ", ".join(f"{key}: {g}" for key, g in zip(keys, gradient, strict=True))
                out.append(f'{{"value": {value}, "gradient": {{{pairs}}}}}\n')
            else:
                out.append(message + "\n")
        return "".join(out).encode()
    import polars as pl

    frame = pl.DataFrame({f"c{j}": matrix[:, j] for j in range(len(names) + 1)})
    finite = bool(np.isfinite(matrix).all())

    def number(column: str) -> pl.Expr:
        text = pl.col(column).cast(pl.String)
        if finite:
            return text
        # SPEC.md: non-finite numbers are the strings "inf", "-inf", "nan"
        quoted = pl.concat_str([pl.lit('"'), text.str.to_lowercase(), pl.lit('"')])
        return pl.when(pl.col(column).is_finite()).then(text).otherwise(quoted)

    parts = [pl.lit('{"value": '), number("c0"), pl.lit(', "gradient": {')]
    for j, key in enumerate(keys):
        parts += [pl.lit((", " if j else "") + key + ": "), number(f"c{j + 1}")]
    parts.append(pl.lit("}}"))
    line = pl.concat_str(parts)
    if errors is not None:
        error_column = pl.Series(errors, dtype=pl.String)
        line = pl.when(error_column.is_null()).then(line).otherwise(pl.lit(error_column))
    buffer = io.BytesIO()
    frame.select(line.alias("record")).write_csv(buffer, include_header=False, quote_style="never")
    return buffer.getvalue()


def _error_record(number: int, message: str) -> bytes:
    # ASCII JSON: a message quoting a lone surrogate or any other odd text stays valid UTF-8
    return (json.dumps({"line": number, "error": message}) + "\n").encode()


def _read_jsonl_block(lines: list[bytes], names: list[str]) -> Any:
    """The lines' records as a float matrix (one orjson call a line, so no line can take another's
    record), when every line is one object of the variables' finite numbers; else None."""
    import orjson

    try:
        records = list(map(orjson.loads, lines))
    except orjson.JSONDecodeError:
        return None
    if not {dict}.issuperset(map(type, records)) or set(map(len, records)) - {len(names)}:
        return None
    columns = []
    for name in names:
        try:
            column = list(map(operator.itemgetter(name), records))
        except KeyError:
            return None
        # NOTE: bool is not int here (type, not isinstance): true is no number
        if not {float, int}.issuperset(map(type, column)):
            return None
        columns.append(np.fromiter(column, dtype=np.float64, count=len(records)))
    values = np.column_stack(columns) if columns else np.zeros((len(records), 0))
    return values if np.isfinite(values).all() else None


class _Unreadable:
    """A line that is not one JSON value, and why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _load(line: bytes) -> Any:
    import orjson

    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as e:
        first = e
    reason = _not_utf8(line)
    if reason:
        return _Unreadable(reason)
    # orjson refuses what JSON allows but a double cannot hold (1e400) and lone
    # surrogate escapes ("\ud800"); json reads them, then _check_record names the fault
    try:
        # parse_int=float: an integer of over 4,300 digits is JSON too (Python's int() refuses it)
        return json.loads(line.decode("utf-8"), parse_constant=_reject_constant, parse_int=float)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply for json
        if first.msg.startswith("unexpected content after document"):
            where = f"at column {first.colno} (one record a line)"
            return _Unreadable(f"not valid JSON: more after the first value, {where}")
        return _Unreadable(f"not valid JSON (at column {first.colno})")


def _check_record(record: Any, names: list[str], graph: Graph) -> str:
    """Why ``record`` is not an object of exactly the variables' finite values ("" if it is)."""
    if isinstance(record, _Unreadable):
        return record.reason
    if not isinstance(record, dict):
        like = ", ".join(f'"{n}": 1.0' for n in names[:LISTED]) + (", …" if len(names) > LISTED else "")
        return "expected an object of variable values, like {" + like + "}"
    missing = [n for n in names if n not in record]
    if missing:
        return "missing value for " + _listed(missing)
    unknown = [k for k in record if k not in names]
    defined = [k for k in unknown if k in graph.definitions]
    if defined:  # a program's own name: computed from its definition, never given
        return f"{defined[0]} is defined by the program and takes no value from a record"
    unknown = [k for k in unknown if k not in graph.unused_variables]  # not evaluated: needs no value
    if unknown:
        return "the expression does not use " + _listed(unknown)
    for name in names:
        v = record[name]
        if isinstance(v, bool) or not isinstance(v, int | float):
            return f"the value of {name} must be a finite number, not {_describe(v)}"
        if not math.isfinite(_float(v)):
            return f"the value of {name} overflows a double (the largest is about 1.8e308)"
    return ""


def _describe(v: Any) -> str:
    """A JSON value as a message names it, short whatever its size or depth."""
    if v is None or isinstance(v, bool):
        return json.dumps(v)
    if isinstance(v, str):
        return json.dumps(v[:40]) + ("…" if len(v) > 40 else "")
    return "an array" if isinstance(v, list) else "an object"


def _float(v: float) -> float:
    try:
        return float(v)
    except OverflowError:  # an integer of 400 digits
        return math.inf
