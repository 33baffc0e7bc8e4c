"""Forward and backward passes over a `Graph`: the chain rule, nothing else.

The forward pass computes every node's value and, on the way, its local
gradients (∂node/∂input), from the op table.  The backward pass starts from
1 at the output and walks the nodes in reverse topological order, adding
upstream × local into each input's global gradient, so a forked value sums
the gradients of its uses.  Both are single loops, O(nodes + edges).

This module imports nothing that draws or prints: presenters read `Result`.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import DomainError, UsageError, number_text
from .graph import Graph
from .ops import OPS, FloatMath


@dataclass
class Result:
    """A graph evaluated at one point.

    Attributes:
        graph: the graph.
        value: every node's value, by id.
        local: every node's local gradients, one per input, by id.
        grad: every node's global gradient ∂output/∂node, by id.
        warnings: overflow and NaN notes, one sentence each.
    """

    graph: Graph
    value: list[float]
    local: list[tuple[float, ...]]
    grad: list[float]
    warnings: list[str] = field(default_factory=list)

    @property
    def output(self) -> float:
        """The value of the expression."""
        return self.value[self.graph.output]

    @property
    def gradient(self) -> dict[str, float]:
        """∂output/∂variable for every variable, in order of first use."""
        return {name: self.grad[i] for name, i in self.graph.variables.items()}


def check_point(graph: Graph, point: Mapping[str, float]) -> None:
    """Raise UsageError unless ``point`` gives exactly the graph's variables."""
    missing = [name for name in graph.variables if name not in point]
    if missing:
        flags = " ".join(f"--{_name(name)}=VALUE" for name in missing[:LISTED])
        raise UsageError(f"missing value for {_names(missing)}: add {flags}{_more(missing)}")
    unknown = [name for name in point if name not in graph.variables]
    if unknown:
        uses = _names(list(graph.variables)) if graph.variables else "no variables"
        raise UsageError(f"the expression does not use {_names(unknown)} (it uses {uses})")


#: at most this many names in one message, so that 100,000 of them stay one line
LISTED = 10


def _names(names: list[str]) -> str:
    return ", ".join(map(_name, names[:LISTED])) + _more(names)


def _name(name: str) -> str:
    """A name as a message shows it: a 200,000-character one is cut short."""
    return name if len(name) <= 40 else f"{name[:10]}… (a name of {len(name):,} characters)"


def _more(names: list[str]) -> str:
    return f" … and {len(names) - LISTED:,} more" if len(names) > LISTED else ""


def forward(graph: Graph, point: Mapping[str, float]) -> tuple[list[float], list[tuple[float, ...]]]:
    """Every node's value and local gradients at ``point``.

    Raises:
        DomainError: a node's inputs lie outside its op's domain.
    """
    value: list[float] = graph.seed(point)
    for i in graph.variables.values():  # ints from the API would run exact, unbounded integer arithmetic
        value[i] = float(value[i])
    local: list[tuple[float, ...]] = [()] * len(graph)
    y: float
    d: tuple[float, ...]
    # NOTE: the hottest rows are written out inline, the same expressions as in their
    # rows (bit for bit: tests/test_engine.py compares them), because two Python calls
    # per node cost more than the arithmetic: the forward pass of the mixed workload takes
    # about 0.6 µs a node so, 0.9 through the rows' functions (README: Performance).
    # Any other row, or a row replaced (dataclasses.replace), runs through its functions.
    for i, op, fwd, loc, dom, a, b in graph.plan:
        if b >= 0:
            x, z = value[a], value[b]
            if op is _ADD:
                y, d = x + z, _ONE_ONE
            elif op is _MUL:
                y, d = x * z, (z, x)
            elif op is _SUB:
                y, d = x - z, _ONE_MINUS_ONE
            else:
                if dom is not None and not dom(x, z):
                    raise _domain_error(graph, i, op, (x, z))
                y = fwd(x, z)
                d = loc(y, x, z)
        elif a >= 0:
            x = value[a]
            if op is _SIN:
                y, d = (_sin(x), (_cos(x),)) if x - x == 0 else _NAN_NAN  # x - x != 0 at ±inf, NaN
            elif op is _COS:
                y, d = (_cos(x), (-_sin(x),)) if x - x == 0 else _NAN_NAN
            elif op is _SIGMOID:
                # FloatMath.sigmoid at x and at -x share one exp: y·σ(-x) as the row says
                if x >= 0:
                    e = _exp(-x)
                    y = 1.0 / (1.0 + e)
                    d = (y * (e / (1.0 + e)),)
                else:
                    e = _exp(x)
                    y = e / (1.0 + e)
                    d = (y * (1.0 / (1.0 + e)),)
            elif op is _TANH:
                y, d = _tanh(x), (_sech2(x),)
            elif op is _RELU:
                y, d = (x, _ONE) if x > 0 else (0.0, _ZERO)
            elif op is _ABS:
                y, d = _fabs(x), (_ONE if x > 0 else _MINUS_ONE if x < 0 else _ZERO)
            elif op is _NEG:
                y, d = -x, _MINUS_ONE
            else:
                if dom is not None and not dom(x):
                    raise _domain_error(graph, i, op, (x,))
                y = fwd(x)
                d = loc(y, x)
        else:
            args = [value[j] for j in graph.inputs[i]]
            if dom is not None and not dom(*args):
                raise _domain_error(graph, i, op, tuple(args))
            y = fwd(*args)
            d = loc(y, *args)
        value[i] = y
        local[i] = d
    return value, local


#: the rows `forward` writes out inline, and what they use
_ADD, _SUB, _MUL, _NEG = OPS["add"], OPS["sub"], OPS["mul"], OPS["neg"]
_SIN, _COS, _TANH, _SIGMOID, _RELU, _ABS = (OPS[k] for k in ("sin", "cos", "tanh", "sigmoid", "relu", "abs"))
_sin, _cos, _tanh, _fabs, _exp, _sech2 = math.sin, math.cos, math.tanh, math.fabs, math.exp, FloatMath.sech2
_ONE_ONE, _ONE_MINUS_ONE, _ONE, _MINUS_ONE, _ZERO = (1.0, 1.0), (1.0, -1.0), (1.0,), (-1.0,), (0.0,)
_NAN_NAN = (math.nan, (math.nan,))


def _domain_error(graph: Graph, i: int, op: Any, args: tuple[float, ...]) -> DomainError:
    return DomainError(i, graph.text(i), op.name, args, op.needs)


def backward(graph: Graph, local: list[tuple[float, ...]]) -> list[float]:
    """Every node's global gradient, given the local ones."""
    grad = [0.0] * len(graph)
    grad[graph.output] = 1.0
    # chain rule, outputs first: each input receives upstream × local; forks add up
    for i, _op, _f, _l, _d, a, b in reversed(graph.plan):
        upstream = grad[i]
        if b >= 0:
            da, db = local[i]
            grad[a] += upstream * da
            grad[b] += upstream * db
        elif a >= 0:
            (da,) = local[i]
            grad[a] += upstream * da
        else:
            for j, d in zip(graph.inputs[i], local[i], strict=True):
                grad[j] += upstream * d
    return grad


def evaluate(graph: Graph, point: Mapping[str, float]) -> Result:
    """Run the forward and the backward pass at ``point``.

    Args:
        graph: from `cgcli.parse`.
        point: a value for every variable of the graph.

    Returns:
        A `Result` with every node's value, local and global gradient.

    Raises:
        UsageError: a variable is missing, or not used by the expression.
        DomainError: the point lies outside a function's domain.

    Example:
        >>> from cgcli import parse, evaluate
        >>> r = evaluate(parse("(x+y)*z"), {"x": -2, "y": 5, "z": -4})
        >>> r.output, r.gradient
        (-12.0, {'x': -4.0, 'y': -4.0, 'z': 3.0})
    """
    check_point(graph, point)
    # NOTE: the passes allocate a tuple per node and no cycles; the cyclic
    # garbage collector would rescan the growing heap for nothing, and on a
    # large graph that costs as much as the passes themselves.
    collecting = gc.isenabled()
    gc.disable()
    try:
        value, local = forward(graph, point)
        grad = backward(graph, local)
    finally:
        if collecting:
            gc.enable()
    return Result(graph, value, local, grad, non_finite_warnings(graph, value, grad))


def non_finite_warnings(graph: Graph, value: list[float], grad: list[float]) -> list[str]:
    """Name the nodes where an inf or a NaN first appears, in the values or else the gradients.

    A node is named where it turns finite inputs into inf (overflow) or
    inputs without a NaN into NaN (inf - inf, 0 · inf); the nodes that merely
    pass such a number on are not, and at most LISTED nodes are named.
    """
    notes: list[str] = []
    # sum() is a cheap test that every number is finite; scan only when not
    if not math.isfinite(sum(value)):
        for i, v in enumerate(value):
            if math.isfinite(v) or graph.ops[i] is None:
                continue
            args = [value[j] for j in graph.inputs[i]]
            if math.isinf(v) and all(map(math.isfinite, args)):
                kind = "overflow"
            elif math.isnan(v) and not any(map(math.isnan, args)):
                kind = "NaN"
            else:
                continue
            shown = ", ".join(number_text(a) for a in args)
            notes.append(f"{kind}: {graph.text(i)} (node {i}) is {number_text(v)}, from {graph.op_name(i)}({shown})")
    if not notes and not math.isfinite(sum(grad)):
        # Constants' gradients are never used (and (-2)^3 sends "nan" toward its exponent):
        # look only at nodes that depend on a variable.  The backward pass runs from the
        # output, so the highest id is where it first went wrong.
        wrong = [i for i, g in enumerate(grad) if not math.isfinite(g) and i not in graph.constant_ids]
        bad = [name for name, i in graph.variables.items() if not math.isfinite(grad[i])]
        first = max(wrong, default=None)
        if first is not None:
            out = graph.output_name
            shown = _names([f"∂{out}/∂{name} = {number_text(grad[graph.variables[name]])}" for name in bad])
            at = f"{graph.text(first)} (node {first})"
            notes.append(f"the gradient becomes {number_text(grad[first])} at {at}: {shown}")
    if len(notes) > LISTED:
        notes[LISTED:] = [f"… and {len(notes) - LISTED:,} more nodes"]
    return notes
