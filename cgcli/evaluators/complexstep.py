"""The complex-step derivative: f'(x) ≈ Im f(x + ih) / h.

Evaluating the graph on complex numbers with a tiny imaginary step h gives
the derivative with no subtraction at all, so no cancellation: for a smooth
expression it agrees with the analytic gradient to about 1e-15, whatever h
(1e-30 here).  `ComplexMath` is the op table's backend for it; piecewise
ops (abs, relu, max, min) branch on the real part, as the real evaluator
branches on the value.
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Mapping

from ..core.graph import Graph
from ..core.ops import LN2, table
from ..errors import DomainError

STEP = 1e-30


class ComplexMath:
    """The op-table backend over complex numbers (only forward functions are used)."""

    inf = complex(math.inf)
    nan = complex(math.nan)
    sin = staticmethod(cmath.sin)  # cmath raises at inf: output() turns that into NaN
    cos = staticmethod(cmath.cos)
    tan = staticmethod(cmath.tan)
    tanh = staticmethod(cmath.tanh)
    log = staticmethod(cmath.log)
    log10 = staticmethod(cmath.log10)
    sqrt = staticmethod(cmath.sqrt)
    asin = staticmethod(cmath.asin)
    acos = staticmethod(cmath.acos)
    atan = staticmethod(cmath.atan)

    @staticmethod
    def log2(a: complex) -> complex:
        return cmath.log(a) / LN2

    @staticmethod
    def sinh(a: complex) -> complex:
        try:
            return cmath.sinh(a)
        except OverflowError:
            return complex(math.copysign(math.inf, a.real), 0.0)

    @staticmethod
    def cosh(a: complex) -> complex:
        try:
            return cmath.cosh(a)
        except OverflowError:
            return complex(math.inf, 0.0)

    @staticmethod
    def softplus(a: complex) -> complex:
        # FloatMath's split, max(a, 0) + log(1 + e^-|a|), with a complex log1p: log(1 + z)
        # written out loses the real part's digits when z is tiny (softplus(-40))
        z = cmath.exp(-a if a.real > 0 else a)
        log1p = complex(0.5 * math.log1p(2 * z.real + abs(z) ** 2), math.atan2(z.imag, 1 + z.real))
        return (a if a.real > 0 else 0j) + log1p

    @staticmethod
    def exp(a: complex) -> complex:
        try:
            return cmath.exp(a)
        except OverflowError:
            return complex(math.inf, 0.0)

    @staticmethod
    def sigmoid(a: complex) -> complex:
        # the same two branches as FloatMath.sigmoid, so neither overflows
        if a.real >= 0:
            return 1 / (1 + cmath.exp(-a))
        z = cmath.exp(a)
        return z / (1 + z)

    @staticmethod
    def pow(a: complex, b: complex) -> complex:
        if b.imag == 0 and b.real.is_integer() and abs(b.real) < 2**31:
            # an integer power by repeated multiplication: exact for a negative base
            return a ** int(b.real)
        return a**b

    @staticmethod
    def relu(a: complex) -> complex:
        return a if a.real > 0 else 0j

    @staticmethod
    def fabs(a: complex) -> complex:
        return a if a.real >= 0 else -a

    @staticmethod
    def sign(a: complex) -> float:
        return 1.0 if a.real > 0 else (-1.0 if a.real < 0 else 0.0)

    @staticmethod
    def step(a: complex) -> float:
        return 1.0 if a.real > 0 else 0.0

    @staticmethod
    def equal(a: complex, b: complex) -> float:
        return 1.0 if a.real == b.real else 0.0

    @staticmethod
    def maximum(args: tuple[complex, ...]) -> complex:
        return max(args, key=lambda a: a.real)

    @staticmethod
    def minimum(args: tuple[complex, ...]) -> complex:
        return min(args, key=lambda a: a.real)

    @staticmethod
    def sech2(a: complex) -> complex:
        return 1 / cmath.cosh(a) ** 2

    @staticmethod
    def is_integer(b: float) -> bool:
        return b.is_integer()  # False for ±inf and NaN, where math.floor raises

    @staticmethod
    def either(*conditions: bool) -> bool:
        return any(conditions)


COMPLEX_OPS = table(ComplexMath)


def output(graph: Graph, point: Mapping[str, complex]) -> complex:
    """The graph's output at a complex point (forward pass only).

    Domain checks use the real parts, so the complex evaluator accepts and
    rejects exactly the points the real one does.
    """
    value = graph.seed(point)  # constants stay floats: cmath and the rows take them as they are
    for i, op in enumerate(graph.ops):
        if op is None:
            continue
        args = [value[j] for j in graph.inputs[i]]
        if op.domain is not None and not op.domain(*(a.real for a in args)):
            raise DomainError(i, graph.text(i), op.name, tuple(a.real for a in args), op.needs)
        try:
            value[i] = COMPLEX_OPS[op.key].forward(*args)
        except (OverflowError, ZeroDivisionError, ValueError):
            # NOTE: cmath raises where the real evaluator gives inf or NaN (sin(inf),
            # sin(1e308 + ih), inf ^ 1e308): the step is lost there, and a NaN derivative
            # fails the check
            value[i] = complex(math.nan, math.nan)
    return complex(value[graph.output])


def derivative(graph: Graph, point: Mapping[str, float], name: str, h: float = STEP) -> float:
    """∂output/∂name at ``point`` by the complex step."""
    shifted: dict[str, complex] = {k: complex(v) for k, v in point.items()}
    shifted[name] += complex(0.0, h)
    return output(graph, shifted).imag / h
