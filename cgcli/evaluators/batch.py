"""Many points, one graph: the op table over NumPy arrays.

`evaluate_arrays` runs the forward and backward passes once for a whole
column of points.  It builds the op table over `NumpyMath`, a backend with
the same few functions as `cgcli.core.ops.FloatMath`, so every row's forward,
local gradient and domain predicate are the table's own, vectorised.  A row
whose local gradient branches on its inputs (``… if a > 0 else …``) cannot
run on arrays; that one row is evaluated point by point with the float
table, so the results are the same, only slower for that node.

A point outside a function's domain does not stop the batch: it gets the
`DomainError` message that one-point ``grad`` would give, and the others go on.

This is the only module (with `cgcli.modes.points`, which streams files through it)
that imports NumPy.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.engine import check_point
from ..core.graph import Graph
from ..core.ops import OPS, Op, table
from ..errors import DomainError, UsageError


class NumpyMath:
    """The backend over float64 arrays: `FloatMath`'s functions, elementwise.

    Overflow gives ±inf and invalid operations NaN, silently (the caller runs
    under ``np.errstate(all="ignore")``), as FloatMath does.
    """

    inf = np.inf
    nan = np.nan
    sin = staticmethod(np.sin)
    cos = staticmethod(np.cos)
    tan = staticmethod(np.tan)
    tanh = staticmethod(np.tanh)
    log = staticmethod(np.log)
    log2 = staticmethod(np.log2)
    log10 = staticmethod(np.log10)
    sqrt = staticmethod(np.sqrt)
    fabs = staticmethod(np.abs)
    exp = staticmethod(np.exp)
    pow = staticmethod(np.power)
    sinh = staticmethod(np.sinh)
    cosh = staticmethod(np.cosh)
    asin = staticmethod(np.arcsin)
    acos = staticmethod(np.arccos)
    atan = staticmethod(np.arctan)

    @staticmethod
    def asin_slope(a: Any) -> Any:
        # FloatMath.asin_slope elementwise: 1/sqrt(+0) is inf at ±1
        return 1.0 / np.sqrt((1.0 - a) * (1.0 + a))

    @staticmethod
    def softplus(a: Any) -> Any:
        return np.where(a > 0, a, 0.0) + np.log1p(np.exp(-np.abs(a)))

    @staticmethod
    def sech2(a: Any) -> Any:
        return 1.0 / np.cosh(a) ** 2

    @staticmethod
    def sigmoid(a: Any) -> Any:
        # FloatMath's two branches at once: exp(-|a|) never overflows
        z = np.exp(-np.abs(a))
        return np.where(a >= 0, 1.0 / (1.0 + z), z / (1.0 + z))

    @staticmethod
    def relu(a: Any) -> Any:
        return np.where(a > 0, a, 0.0)

    @staticmethod
    def step(a: Any) -> Any:
        return np.where(a > 0, 1.0, 0.0)

    @staticmethod
    def sign(a: Any) -> Any:
        return np.where(a > 0, 1.0, np.where(a < 0, -1.0, 0.0))  # 0 at 0 and at NaN, as FloatMath

    @staticmethod
    def equal(a: Any, b: Any) -> Any:
        return np.where(a == b, 1.0, 0.0)

    @staticmethod
    def is_integer(b: Any) -> Any:
        # NOTE: floor(inf) == inf, but float.is_integer(inf) is False: a negative base to an
        # infinite power is a domain error in one-point grad, so it is here
        return np.isfinite(b) & (b == np.floor(b))

    @staticmethod
    def maximum(args: tuple[Any, ...]) -> Any:
        # Python's max keeps the first of equals and skips a later NaN: so does this
        return functools.reduce(lambda best, a: np.where(a > best, a, best), args)

    @staticmethod
    def minimum(args: tuple[Any, ...]) -> Any:
        return functools.reduce(lambda best, a: np.where(a < best, a, best), args)

    @staticmethod
    def either(*conditions: Any) -> Any:
        return functools.reduce(np.logical_or, conditions)


#: points evaluated together; larger batches are cut into slices of this size
CHUNK = 16_384


@functools.cache
def numpy_ops() -> dict[str, Op]:
    """The op table over `NumpyMath`, by key."""
    return table(NumpyMath)


@dataclass
class BatchResult:
    """A graph evaluated at many points.

    Attributes:
        value: the output at each point (NaN where the point failed).
        gradient: ∂output/∂variable at each point, by variable, in order of first use.
        errors: the `DomainError` message of each failed point, by index.
    """

    value: Any
    gradient: dict[str, Any]
    errors: dict[int, str] = field(default_factory=dict)


def evaluate_arrays(graph: Graph, columns: Mapping[str, Any], size: int | None = None) -> BatchResult:
    """Run the forward and backward passes at many points at once.

    Args:
        graph: from `cgcli.parse`.
        columns: an array (or sequence) of values for each variable, all the same length.
        size: the number of points, needed when the graph has no variables (else the
            columns' length; 1 if neither says).

    Returns:
        A `BatchResult`; a point outside a function's domain is in ``errors``
        and its numbers are NaN.

    Raises:
        UsageError: a variable is missing or unknown, or the columns differ in length (or from ``size``).

    Example:
        >>> import numpy as np
        >>> from cgcli import parse
        >>> r = evaluate_arrays(parse("x*y"), {"x": np.array([1.0, 2.0]), "y": np.array([3.0, 4.0])})
        >>> r.value.tolist(), r.gradient["x"].tolist()
        ([3.0, 8.0], [3.0, 4.0])
    """
    check_point(graph, columns)
    arrays = {name: np.asarray(columns[name], dtype=np.float64) for name in graph.variables}
    sizes = {a.shape for a in arrays.values()}
    if len(sizes) > 1 or any(len(s) != 1 for s in sizes):
        raise UsageError("every variable needs a one-dimensional column of the same length")
    length = next(iter(sizes))[0] if sizes else (1 if size is None else size)
    if size is not None and length != size:
        raise UsageError(f"every variable needs a column of {size} values")
    size = length
    # Every result is written once into arrays made here: a chunk's own may be shared
    # between variables (x + y sends both the same upstream array) or be a scalar.
    result = BatchResult(np.empty(size), {name: np.empty(size) for name in graph.variables})
    # slices that stay in the CPU's cache run faster than one long pass
    for start in range(0, size, CHUNK):
        end = min(start + CHUNK, size)
        with np.errstate(all="ignore"):
            value, local, failed = _forward(graph, {k: a[start:end] for k, a in arrays.items()}, end - start)
            gradient = _backward(graph, local)
        result.value[start:end] = value[graph.output]
        for name, g in gradient.items():
            result.gradient[name][start:end] = g
        errors = _messages(graph, value, failed)
        if errors:
            bad = start + np.fromiter(errors, dtype=np.intp)
            for column in (result.value, *result.gradient.values()):
                column[bad] = np.nan
            result.errors.update({start + k: message for k, message in errors.items()})
    return result


def _forward(graph: Graph, arrays: dict[str, Any], size: int) -> tuple[list[Any], list[Any], Any]:
    """Values and local gradients of every node; ``failed[k]`` is the first node point k failed at (or -1)."""
    rows = numpy_ops()
    n = len(graph)
    value: list[Any] = graph.seed(arrays)
    local: list[Any] = [()] * n
    failed = np.full(size, -1, dtype=np.intp)
    for i, (op, ins) in enumerate(zip(graph.ops, graph.inputs, strict=True)):
        if op is None:
            continue
        args = [value[j] for j in ins]
        if i in graph.constant_ids:
            # A constant is the float table's own number, as in one-point grad: rows
            # may branch on it (x^2), and its domain is decided once for every point
            # (x + 1/0 fails at 1/0 wherever no earlier node failed)
            value[i] = _constant(OPS[op.key], args, failed, i)
            continue
        row = rows[op.key]
        # NumPy scalars, not floats, beside the arrays: 1.0 / b with b = 0.0 is inf here, as
        # for the arrays, rather than ZeroDivisionError (x / (1 - 1) fails its domain first)
        args = [np.float64(a) if type(a) is float else a for a in args]
        if row.domain is not None:
            ok = row.domain(*args)
            if not np.all(ok):  # the rare case: note the points that fail here first
                failed[~np.broadcast_to(ok, (size,)) & (failed < 0)] = i
        y = value[i] = row.forward(*args)
        try:
            local[i] = row.local(y, *args)
        except ValueError:  # the row branches on an array: run the float row point by point
            local[i] = _pointwise(OPS[op.key], y, args, failed)
    return value, local, failed


def _constant(row: Op, args: list[Any], failed: Any, i: int) -> float:
    """A constant node's value with the float table; NaN, and every point not failed yet failing
    here, when its inputs lie outside the row's domain."""
    if row.domain is not None and not row.domain(*args):
        failed[failed < 0] = i
        return math.nan
    return float(row.forward(*args))


def _pointwise(row: Op, y: Any, args: list[Any], failed: Any) -> tuple[Any, ...]:
    """A row's local gradients computed one point at a time with the float table.

    A point that already failed a domain check gets NaN, as one-point grad
    never computes past its error.
    """
    columns = [np.broadcast_to(np.asarray(a, dtype=np.float64), failed.shape).tolist() for a in (y, *args)]
    skipped = (math.nan,) * len(args)
    per_point = [
        skipped if bad else row.local(*point)
        for bad, point in zip((failed >= 0).tolist(), zip(*columns, strict=True), strict=True)
    ]
    return tuple(np.array(d, dtype=np.float64) for d in zip(*per_point, strict=True)) if per_point else ()


def _backward(graph: Graph, local: list[Any]) -> dict[str, Any]:
    """∂output/∂variable by variable (an array, or a scalar where it is the same at every point):
    upstream × local, summed over forks, outputs first."""
    grad: list[Any] = [None] * len(graph)
    grad[graph.output] = 1.0  # a scalar until it meets an array: saves a multiply per edge
    for i in range(len(graph) - 1, -1, -1):
        upstream = grad[i]
        if upstream is None or graph.ops[i] is None or i in graph.constant_ids:
            continue
        for j, d in zip(graph.inputs[i], local[i], strict=True):
            if j in graph.constant_ids:
                continue
            # NOTE: × 1.0 is skipped (add's local); the product is never updated in place,
            # so sharing the upstream array is safe
            contribution = upstream if isinstance(d, float) and d == 1.0 else upstream * d
            grad[j] = contribution if grad[j] is None else grad[j] + contribution
    return {name: 0.0 if grad[i] is None else grad[i] for name, i in graph.variables.items()}


def _messages(graph: Graph, value: list[Any], failed: Any) -> dict[int, str]:
    """One-point grad's DomainError message for each failed point."""
    errors: dict[int, str] = {}
    for k in np.flatnonzero(failed >= 0).tolist():
        i = int(failed[k])
        op = graph.ops[i]
        assert op is not None
        args = tuple(float(np.broadcast_to(value[j], failed.shape)[k]) for j in graph.inputs[i])
        errors[k] = str(DomainError(i, graph.text(i), op.name, args, op.needs))
    return errors
