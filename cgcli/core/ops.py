"""The op table: every gate cgcli knows, one row each.

A row gives an op's name, how many inputs it takes, its forward function,
its local gradients (one per input, ∂node/∂input), its gate role and the
domain it is defined on.  The engine, the checker and every presenter read
this table and nothing else, so the rows below *are* cgcli's mathematics.

Rows are written against a *backend* ``m``: plain floats (`FloatMath`) for
``grad``; other evaluators (complex step, NumPy batches) pass their own
backend with the same few functions, so one row serves them all.

``local(y, *args)`` receives the node's value ``y`` as well as its inputs,
because many local gradients are cheapest in terms of the output
(exp: y, sigmoid: y·(1-y), sqrt: 1/(2y)).

How to add an op, say ``cosh``:
  1. add ``"cosh": unary(m.cosh, lambda y, a: (m.sinh(a),))`` to `table`,
     and ``cosh``/``sinh`` to `FloatMath` (and the other backends), with its
     derivative as a graph-building rule for ``cgcli diff`` on a line of its
     own: ``derive=lambda s, g, y, a: (s.mul(g, s.sinh(a)),)``;
  2. nothing else: the grammar's ``call`` rule looks function names up here.
An operator (like ``%``) also needs one grammar line whose alias is the
op's name.

`cgcli.core.engine.forward` writes the hottest rows (add, mul, sin, sigmoid, …)
out inline for speed; change one of those rows and tests/test_engine.py,
which compares the two bit for bit, says where else to change it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

VARIADIC = -1

LN2, LN10 = math.log(2.0), math.log(10.0)

# binding strength of printed text, loosest first (the grammar's layers)
SUM, PRODUCT, UNARY, POWER, ATOM = 1, 2, 3, 4, 5

DISTRIBUTOR = "distributor"
ROUTER = "router"
SWITCHER = "switcher"

#: one sentence a role, for the legend under the table
ROLE_MEANING = {
    DISTRIBUTOR: "add gates pass the upstream gradient unchanged to every input",
    ROUTER: "max/min gates send the whole upstream gradient to the winning input, 0 to the rest",
    SWITCHER: "mul gates send each input the upstream gradient times the other input",
}


class JS:
    """An op's row in JavaScript, for the page's generated evaluator (`cgcli.present.html`).

    ``forward`` and each of ``local`` (one per input, as the float row's) are
    JavaScript expressions in the row's letters: ``a``, ``b`` the inputs,
    ``y`` the value, ``args`` the inputs of a variadic op (whose one ``local``
    gives the whole list); ``domain`` is true where the op is defined.  They
    may call ``Math`` and the page's own helpers ``M`` (cgcli/present/page.js),
    and compute what the float row computes, in the same order, so that the
    page agrees with ``grad`` (tests/test_page.py, tests/test_page_evaluator.py).
    """

    __slots__ = ("forward", "local", "domain")

    def __init__(self, forward: str, *local: str, domain: str = "") -> None:
        self.forward, self.local, self.domain = forward, local, domain


@dataclass(frozen=True)
class Op:
    """One row of the op table."""

    name: str  # shown to users: "pow" for both pow rows
    arity: int  # number of inputs, or VARIADIC (one or more)
    forward: Callable[..., Any]
    local: Callable[..., tuple[Any, ...]]  # (y, *inputs) -> one ∂y/∂input per input
    role: str | None = None
    domain: Callable[..., Any] | None = None  # inputs -> true where defined
    needs: str = ""  # what the domain asks for, for the error message
    symbol: str = ""  # infix/prefix operator; empty for functions
    precedence: int = ATOM  # binding strength when printed
    key: str = ""  # the row's key in the table ("pow_var"), for other backends' tables
    # For a piecewise op: (y, *inputs) -> which piece is taken.  Where it changes
    # between x-h and x+h, `cgcli check` knows a kink lies in between.
    branch: Callable[..., Any] | None = None
    # The local gradients as text, in the row's letters (a, b: inputs; y: value), for --steps.
    formula: tuple[str, ...] = ()
    # The derivative as a graph-building rule, for `cgcli diff`: (s, g, y, *inputs) -> one
    # contribution g·∂y/∂input per input (None: never needed), built with the methods of s,
    # a `cgcli.evaluators.symbolic.Symbolic` (s.mul, s.cos, s.const(2), …); g, y and the
    # inputs are its nodes.
    derive: Callable[..., tuple[Any, ...]] | None = None
    # The row in JavaScript, for graph --format html (`JS`).
    js: JS | None = None


class FloatMath:
    """The backend of the ordinary evaluator: Python floats.

    Overflow gives ±inf rather than OverflowError, as SPEC.md asks; the
    engine warns about it afterwards.
    """

    inf = math.inf
    nan = math.nan
    tanh = staticmethod(math.tanh)
    log = staticmethod(math.log)
    log2 = staticmethod(math.log2)
    log10 = staticmethod(math.log10)
    sqrt = staticmethod(math.sqrt)
    fabs = staticmethod(math.fabs)
    asin = staticmethod(math.asin)
    acos = staticmethod(math.acos)
    atan = staticmethod(math.atan)

    @staticmethod
    def exp(a: float) -> float:
        try:
            return math.exp(a)
        except OverflowError:
            return math.inf

    # NOTE: math.sin(±inf) raises ValueError; IEEE 754 (and NumPy) say NaN, which
    # grad then reports as a warning, like any other NaN
    @staticmethod
    def sin(a: float) -> float:
        return math.sin(a) if a - a == 0 else math.nan

    @staticmethod
    def cos(a: float) -> float:
        return math.cos(a) if a - a == 0 else math.nan

    @staticmethod
    def tan(a: float) -> float:
        return math.tan(a) if a - a == 0 else math.nan

    @staticmethod
    def sinh(a: float) -> float:
        try:
            return math.sinh(a)
        except OverflowError:
            return math.copysign(math.inf, a)

    @staticmethod
    def cosh(a: float) -> float:
        try:
            return math.cosh(a)
        except OverflowError:
            return math.inf

    @staticmethod
    def asin_slope(a: float) -> float:
        """1/√(1-a²), asin's derivative: +inf at ±1, as sqrt's is at 0."""
        # NOTE: (1-a)(1+a), not 1-a², which loses half the digits near ±1
        d = (1.0 - a) * (1.0 + a)
        return 1.0 / math.sqrt(d) if d > 0 else math.inf

    @staticmethod
    def softplus(a: float) -> float:
        # log(1+eᵃ) = max(a, 0) + log(1+e^-|a|): exp never overflows, softplus(±1000) is exact
        return (a if a > 0 else 0.0) + math.log1p(math.exp(-abs(a)))

    @staticmethod
    def sech2(a: float) -> float:
        # NOTE: 1/cosh² a, not 1 - tanh² a: the latter loses every digit once
        # tanh a rounds to 1 (|a| > 19), and many before that.
        try:
            return 1.0 / math.cosh(a) ** 2
        except OverflowError:
            return 0.0

    @staticmethod
    def sigmoid(a: float) -> float:
        # Two branches so that exp never overflows: sigmoid(±1000) is exact.
        if a >= 0:
            return 1.0 / (1.0 + math.exp(-a))
        z = math.exp(a)
        return z / (1.0 + z)

    @staticmethod
    def pow(a: float, b: float) -> float:
        try:
            return a**b
        except OverflowError:
            odd = a < 0 and b % 2 == 1
            return -math.inf if odd else math.inf
        except ZeroDivisionError:  # 0 ^ negative, only reached by gradients
            return math.inf

    @staticmethod
    def relu(a: float) -> float:
        return a if a > 0 else 0.0

    @staticmethod
    def step(a: float) -> float:
        # NOTE: relu'(0) = 0, the minimum-norm subgradient (SPEC.md).
        return 1.0 if a > 0 else 0.0

    @staticmethod
    def sign(a: float) -> float:
        # NOTE: abs'(0) = 0, the minimum-norm subgradient (SPEC.md).
        return 1.0 if a > 0 else (-1.0 if a < 0 else 0.0)

    @staticmethod
    def equal(a: float, b: float) -> float:
        return 1.0 if a == b else 0.0

    @staticmethod
    def is_integer(b: float) -> bool:
        return b.is_integer()  # False for ±inf and NaN, where math.floor raises

    maximum = staticmethod(max)
    minimum = staticmethod(min)

    @staticmethod
    def either(*conditions: bool) -> bool:
        return any(conditions)


def _pow_local(m: Any) -> Callable[..., tuple[Any, Any]]:
    def local(y: Any, a: Any, b: Any) -> tuple[Any, Any]:
        # ∂/∂a = b·a^(b-1), written so that x^0 has gradient 0 even at x = 0
        # and x^0.5 has an infinite one there, like sqrt.
        d_base = b * m.pow(a, b - 1) if b != 0 else 0 * a
        # ∂/∂b = a^b·ln a, defined only for a > 0 (never used for a constant b)
        d_exponent = y * m.log(a) if a > 0 else m.nan
        return d_base, d_exponent

    return local


def _winners(m: Any) -> Callable[..., tuple[Any, ...]]:
    """Local gradients of max/min: 1 to the winner; ties split it evenly."""

    def local(y: Any, *args: Any) -> tuple[Any, ...]:
        hits = [m.equal(a, y) for a in args]
        count = sum(hits)
        if not count:  # a NaN among the arguments: nothing won
            return tuple(m.nan for _ in args)
        return tuple(h / count for h in hits)

    return local


def _sign(m: Any) -> Callable[..., Any]:
    """The piece of relu/abs: the sign of the argument."""
    return lambda y, a: m.sign(a)


def _winner(m: Any) -> Callable[..., Any]:
    """The piece of max/min: which arguments win."""
    return lambda y, *args: tuple(m.equal(a, y) for a in args)


def _routed(largest: bool) -> Callable[..., tuple[Any, ...]]:
    """max/min's derive rule: the upstream gradient to the winner; ties split it evenly.

    Two arguments: a gets g·(sign(a - b) + 1)/2 (g, g/2 or 0, exactly as
    grad's 1, ½ or 0) and b the rest; more: each gets g·hit/count, where
    hit = 1 - step(y - a) for max.  One: all of it.
    """

    def rule(s: Any, g: Any, y: Any, *args: Any) -> tuple[Any, ...]:
        if len(args) == 1:
            return (g,)
        if len(args) == 2:
            a, b = args
            first = s.mul(g, s.div(s.add(s.one, s.sign(s.sub(a, b) if largest else s.sub(b, a))), s.const(2)))
            return first, s.sub(g, first)
        hits = [s.sub(s.one, s.step(s.sub(y, a) if largest else s.sub(a, y))) for a in args]
        count = hits[0]
        for h in hits[1:]:
            count = s.add(count, h)
        share = s.div(g, count)
        return tuple(s.mul(share, h) for h in hits)

    return rule


def table(m: Any) -> dict[str, Op]:
    """Build the op table over backend ``m``; keys are the op names."""

    def unary(forward: Callable[..., Any], local: Callable[..., tuple[Any]], **kw: Any) -> Op:
        return Op("", 1, forward, local, **kw)

    def constant_exponent_ok(a: Any, b: Any) -> Any:
        return m.either(a > 0, (a == 0) & (b >= 0), (a < 0) & m.is_integer(b))

    # fmt: off
    rows = {
        # operators        arity forward                   local gradients (y, *inputs)          role
        "add":  Op("add",  2, lambda a, b: a + b,  lambda y, a, b: (1.0, 1.0),          DISTRIBUTOR, symbol="+", precedence=SUM, formula=("1", "1"),
                   derive=lambda s, g, y, a, b: (g, g),
                   js=JS("a + b", "1", "1")),
        "sub":  Op("sub",  2, lambda a, b: a - b,  lambda y, a, b: (1.0, -1.0),         symbol="-", precedence=SUM, formula=("1", "-1"),
                   derive=lambda s, g, y, a, b: (g, s.neg(g)),
                   js=JS("a - b", "1", "-1")),
        "mul":  Op("mul",  2, lambda a, b: a * b,  lambda y, a, b: (b, a),              SWITCHER, symbol="*", precedence=PRODUCT, formula=("b", "a"),
                   derive=lambda s, g, y, a, b: (s.mul(g, b), s.mul(g, a)),
                   js=JS("a * b", "b", "a")),
        "div":  Op("div",  2, lambda a, b: a / b,  lambda y, a, b: (1.0 / b, -y / b),   symbol="/", precedence=PRODUCT,
                   domain=lambda a, b: b != 0, needs="a non-zero divisor", formula=("1/b", "-a/b²"),
                   derive=lambda s, g, y, a, b: (t := s.div(g, b), s.neg(s.mul(t, y))),
                   js=JS("a / b", "1 / b", "-y / b", domain="b !== 0")),
        "neg":  Op("neg",  1, lambda a: -a,        lambda y, a: (-1.0,),                symbol="-", precedence=UNARY, formula=("-1",),
                   derive=lambda s, g, y, a: (s.neg(g),),
                   js=JS("-a", "-1")),
        "pow":  Op("pow",  2, m.pow,               _pow_local(m),                       symbol="^", precedence=POWER,
                   domain=constant_exponent_ok,
                   needs="a base > 0, or an integer exponent for a negative base, or an exponent >= 0 for base 0", formula=("b·a^(b-1)", "y·ln a"),
                   derive=lambda s, g, y, a, b: (s.mul(g, s.mul(b, s.pow(a, s.sub(b, s.one)))), None),
                   js=JS("M.pow(a, b)", "b !== 0 ? b * M.pow(a, b - 1) : 0 * a", "a > 0 ? y * Math.log(a) : NaN", domain="a > 0 || (a === 0 && b >= 0) || (a < 0 && Number.isInteger(b))")),
        # a ^ b whose exponent depends on a variable: ∂/∂b = a^b·ln a needs a > 0
        "pow_var": Op("pow", 2, m.pow,             _pow_local(m),                       symbol="^", precedence=POWER,
                   domain=lambda a, b: a > 0, needs="a base > 0 (the exponent depends on a variable)", formula=("b·a^(b-1)", "y·ln a"),
                   derive=lambda s, g, y, a, b: (s.mul(b, s.div(gy := s.mul(g, y), a)), s.mul(gy, s.log(a))),
                   js=JS("M.pow(a, b)", "b !== 0 ? b * M.pow(a, b - 1) : 0 * a", "a > 0 ? y * Math.log(a) : NaN", domain="a > 0")),
        # functions
        "exp":     unary(m.exp,                    lambda y, a: (y,), formula=("e^a",),
                         derive=lambda s, g, y, a: (s.mul(g, y),),
                         js=JS("Math.exp(a)", "y")),
        "log":     unary(m.log,                    lambda y, a: (1.0 / a,), formula=("1/a",),
                         domain=lambda a: a > 0, needs="a positive argument",
                         derive=lambda s, g, y, a: (s.div(g, a),),
                         js=JS("Math.log(a)", "1 / a", domain="a > 0")),
        "sqrt":    unary(m.sqrt,                   lambda y, a: (0.5 / y if y else m.inf,), formula=("1/(2·y)",),
                         domain=lambda a: a >= 0, needs="a non-negative argument",
                         derive=lambda s, g, y, a: (s.div(g, s.mul(s.const(2), y)),),
                         js=JS("Math.sqrt(a)", "y !== 0 ? 0.5 / y : Infinity", domain="a >= 0")),
        "sin":     unary(m.sin,                    lambda y, a: (m.cos(a),), formula=("cos(a)",),
                         derive=lambda s, g, y, a: (s.mul(g, s.cos(a)),),
                         js=JS("Math.sin(a)", "Math.cos(a)")),
        "cos":     unary(m.cos,                    lambda y, a: (-m.sin(a),), formula=("-sin(a)",),
                         derive=lambda s, g, y, a: (s.neg(s.mul(g, s.sin(a))),),
                         js=JS("Math.cos(a)", "-Math.sin(a)")),
        "tan":     unary(m.tan,                    lambda y, a: (1.0 / m.cos(a) ** 2,), formula=("1/cos²(a)",),
                         derive=lambda s, g, y, a: (s.div(g, s.pow(s.cos(a), s.const(2))),),
                         js=JS("Math.tan(a)", "1 / Math.cos(a) ** 2")),
        "tanh":    unary(m.tanh,                   lambda y, a: (m.sech2(a),), formula=("1-tanh²(a)",),
                         derive=lambda s, g, y, a: (s.mul(g, s.sub(s.one, s.pow(y, s.const(2)))),),
                         js=JS("Math.tanh(a)", "M.sech2(a)")),
        # NOTE: σ(a)·σ(-a) equals (1-σ)σ but keeps its digits when σ is near 1
        "sigmoid": unary(m.sigmoid,                lambda y, a: (y * m.sigmoid(-a),), formula=("(1-y)·y",),
                         derive=lambda s, g, y, a: (s.mul(g, s.mul(y, s.sub(s.one, y))),),
                         js=JS("M.sigmoid(a)", "y * M.sigmoid(-a)")),
        "ln":      unary(m.log,                    lambda y, a: (1.0 / a,), formula=("1/a",),
                         domain=lambda a: a > 0, needs="a positive argument",
                         derive=lambda s, g, y, a: (s.div(g, a),),
                         js=JS("Math.log(a)", "1 / a", domain="a > 0")),
        "log2":    unary(m.log2,                   lambda y, a: (1.0 / (a * LN2),), formula=("1/(a·ln 2)",),
                         domain=lambda a: a > 0, needs="a positive argument",
                         derive=lambda s, g, y, a: (s.div(g, s.mul(a, s.const(LN2))),),
                         js=JS("Math.log2(a)", "1 / (a * Math.LN2)", domain="a > 0")),
        "log10":   unary(m.log10,                  lambda y, a: (1.0 / (a * LN10),), formula=("1/(a·ln 10)",),
                         domain=lambda a: a > 0, needs="a positive argument",
                         derive=lambda s, g, y, a: (s.div(g, s.mul(a, s.const(LN10))),),
                         js=JS("Math.log10(a)", "1 / (a * Math.LN10)", domain="a > 0")),
        "sinh":    unary(m.sinh,                   lambda y, a: (m.cosh(a),), formula=("cosh(a)",),
                         derive=lambda s, g, y, a: (s.mul(g, s.cosh(a)),),
                         js=JS("Math.sinh(a)", "Math.cosh(a)")),
        "cosh":    unary(m.cosh,                   lambda y, a: (m.sinh(a),), formula=("sinh(a)",),
                         derive=lambda s, g, y, a: (s.mul(g, s.sinh(a)),),
                         js=JS("Math.cosh(a)", "Math.sinh(a)")),
        "asin":    unary(m.asin,                   lambda y, a: (m.asin_slope(a),), formula=("1/√(1-a²)",),
                         domain=lambda a: abs(a) <= 1, needs="an argument in [-1, 1]",
                         derive=lambda s, g, y, a: (s.div(g, s.sqrt(s.mul(s.sub(s.one, a), s.add(s.one, a)))),),
                         js=JS("Math.asin(a)", "M.asinSlope(a)", domain="Math.abs(a) <= 1")),
        "acos":    unary(m.acos,                   lambda y, a: (-m.asin_slope(a),), formula=("-1/√(1-a²)",),
                         domain=lambda a: abs(a) <= 1, needs="an argument in [-1, 1]",
                         derive=lambda s, g, y, a: (s.neg(s.div(g, s.sqrt(s.mul(s.sub(s.one, a), s.add(s.one, a))))),),
                         js=JS("Math.acos(a)", "-M.asinSlope(a)", domain="Math.abs(a) <= 1")),
        "atan":    unary(m.atan,                   lambda y, a: (1.0 / (1.0 + a * a),), formula=("1/(1+a²)",),
                         derive=lambda s, g, y, a: (s.div(g, s.add(s.one, s.mul(a, a))),),
                         js=JS("Math.atan(a)", "1 / (1 + a * a)")),
        "softplus": unary(m.softplus,              lambda y, a: (m.sigmoid(a),), formula=("σ(a)",),
                         derive=lambda s, g, y, a: (s.mul(g, s.sigmoid(a)),),
                         js=JS("M.softplus(a)", "M.sigmoid(a)")),
        "relu":    unary(m.relu,                   lambda y, a: (m.step(a),),           branch=_sign(m),
                         derive=lambda s, g, y, a: (s.mul(g, s.step(a)),),
                         js=JS("a > 0 ? a : 0", "M.step(a)")),
        "abs":     unary(m.fabs,                   lambda y, a: (m.sign(a),),           branch=_sign(m),
                         derive=lambda s, g, y, a: (s.mul(g, s.sign(a)),),
                         js=JS("Math.abs(a)", "M.sign(a)")),
        # NOTE: sign and step jump at 0; their derivative is 0 on both sides, and 0 there too
        "sign":    unary(m.sign,                   lambda y, a: (0.0,), formula=("0",), branch=_sign(m),
                         derive=lambda s, g, y, a: (s.zero,),
                         js=JS("M.sign(a)", "0")),
        "step":    unary(m.step,                   lambda y, a: (0.0,), formula=("0",), branch=_sign(m),
                         derive=lambda s, g, y, a: (s.zero,),
                         js=JS("M.step(a)", "0")),
        "max":  Op("max", VARIADIC, lambda *a: m.maximum(a), _winners(m),               ROUTER, branch=_winner(m),
                   derive=_routed(largest=True),
                   js=JS("M.max(args)", "M.winners(y, args)")),
        "min":  Op("min", VARIADIC, lambda *a: m.minimum(a), _winners(m),               ROUTER, branch=_winner(m),
                   derive=_routed(largest=False),
                   js=JS("M.min(args)", "M.winners(y, args)")),
    }
    # fmt: on
    # every row learns its key; unary() rows take their name from it
    return {key: replace(row, name=row.name or key, key=key) for key, row in rows.items()}


#: the table over plain floats, used by ``grad``
OPS = table(FloatMath)

#: names a call like ``exp(x)`` may use; ``pow(a, b)`` is the ``^`` operator
FUNCTIONS = {name: row for name, row in OPS.items() if not row.symbol} | {"pow": OPS["pow"]}

#: named constants of the language
CONSTANTS = {"pi": math.pi, "e": math.e}
