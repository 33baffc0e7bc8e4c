"""The engine's inline kernels give exactly what their op rows give.

`cgcli.core.engine.forward` writes the hottest rows out inline for speed.  Here
every row, inline or not, is evaluated both ways on a one-gate graph, and
the value and local gradients must be the same floats, bit for bit (NaN
equal to NaN), at ordinary points and at the edges: zeros of both signs,
infinities, NaN, overflow thresholds.
"""

from __future__ import annotations

import dataclasses
import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cgcli.core.engine import forward
from cgcli.core.graph import Graph
from cgcli.core.ops import OPS, VARIADIC

EDGES = [0.0, -0.0, 0.5, -0.5, 1.0, -3.0, 19.5, -25.0, 354.0, -356.0, 709.0, 711.0, -745.0, 1e300, -1e300, 5e-324]
EDGES += [math.inf, -math.inf, math.nan]
FIXED_ARITY = sorted(key for key, op in OPS.items() if op.arity != VARIADIC)


def bits(x: float) -> bytes:
    """The float's bytes, every NaN alike."""
    return b"nan" if math.isnan(x) else struct.pack("<d", x)


def by_engine(key: str, args: tuple[float, ...]) -> tuple[float, tuple[float, ...]] | None:
    graph = Graph()
    names = [f"x{k}" for k in range(len(args))]
    graph.apply(OPS[key], *(graph.variable(n) for n in names))
    op = graph.ops[graph.output]
    assert op is not None
    if op.domain is not None and not op.domain(*args):
        return None
    value, local = forward(graph, dict(zip(names, args, strict=True)))
    return value[graph.output], local[graph.output]


def by_row(key: str, args: tuple[float, ...]) -> tuple[float, tuple[float, ...]]:
    op = OPS["pow_var"] if key == "pow" else OPS[key]  # a variable exponent, as the graph has
    y = op.forward(*args)
    return y, op.local(y, *args)


def assert_same(key: str, args: tuple[float, ...]) -> None:
    engine = by_engine(key, args)
    if engine is None:  # outside the domain: the engine raises, the row is never asked
        return
    y, local = by_row(key, args)
    assert bits(engine[0]) == bits(y), (key, args, engine[0], y)
    assert list(map(bits, engine[1])) == list(map(bits, local)), (key, args, engine[1], local)


@pytest.mark.parametrize("key", FIXED_ARITY)
def test_every_row_at_the_edges(key: str) -> None:
    arity = OPS[key].arity
    points = [(x,) for x in EDGES] if arity == 1 else [(x, z) for x in EDGES for z in EDGES]
    for args in points:
        assert_same(key, args)


@given(key=st.sampled_from(FIXED_ARITY), x=st.floats(), z=st.floats())
def test_every_row_anywhere(key: str, x: float, z: float) -> None:
    assert_same(key, (x, z)[: OPS[key].arity])


@pytest.mark.parametrize("key", ["add", "mul", "sin", "sigmoid", "relu"])
def test_a_replaced_row_is_run_as_written(key: str) -> None:
    """Only the table's own rows are inlined: a row changed with replace() runs its own functions."""
    row = OPS[key]
    broken = dataclasses.replace(row, local=lambda y, *args: tuple(7.0 for _ in args))
    graph = Graph()
    graph.apply(broken, *(graph.variable(f"x{k}") for k in range(row.arity)))
    _, local = forward(graph, {f"x{k}": 0.25 for k in range(row.arity)})
    assert local[graph.output] == (7.0,) * row.arity
