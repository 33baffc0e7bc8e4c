"""Symbolic reverse mode: the backward pass run over nodes instead of numbers.

`Symbolic` builds a `Graph` through constructors that simplify as each node
is made, so the derivative never exists in an unsimplified form:

- constant folding (an op of constants is its value, unless that value is
  not finite or lies outside the op's domain: then the node stays, and grad
  reports it);
- neutral and absorbing elements (``a + 0``, ``a * 1``, ``a ^ 1``, ``0 * a``,
  ``a / 1``, ``a ^ 0``);
- signs: a negation moves outwards through products and quotients, meets
  sums as subtraction (``a + -b`` is ``a - b``), and two of them cancel;
- powers with constant exponents: ``a * a`` is ``a^2``, ``a^2 * a`` is ``a^3``;
- collecting: ``c1·u + c2·u`` is ``(c1 + c2)·u``, also with a like term
  among the last `COLLECT` terms of a sum, and constant factors gather in
  front (``2 * (3 * x)`` is ``6 * x``); ``u / u`` is 1, ``max(a, a)`` is a;
- hash-consing: a node asked for twice is made once, so the derivative
  shares f's own nodes (σ(E) in f's derivative *is* f's σ(E)).

A rewrite that would make an infinite constant (``1e308 * 10``) is not
made: that one node is built again as asked (`Symbolic.plainly`).

Each rewrite looks at a node's inputs only, never deeper: building stays
O(1) a node, and there is no search for a "simplest" form.

`gradient` is the backward pass: it walks the graph from the output down,
asking each op row's ``derive`` rule (a vector-Jacobian product, as in HIPS
autograd's ``defvjp``: upstream node in, one contribution per input out) for
the nodes that carry the upstream gradient to its inputs, and summing the
contributions at forks.  Like `cgcli.core.engine.backward` it is one loop,
so a 100,000-deep expression is no deeper to differentiate than to evaluate.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable
from typing import Any

from ..core.graph import Graph
from ..core.ops import OPS, VARIADIC, Op

_ADD, _SUB, _MUL, _DIV, _NEG, _POW = (OPS[k] for k in ("add", "sub", "mul", "div", "neg", "pow"))
_POW_VAR = OPS["pow_var"]
_COMMUTATIVE = {"add", "mul"}

#: how many terms of a sum `Symbolic.add` looks back through for one to collect with
COLLECT = 8


def number_text(v: float) -> str:
    """A constant as cgcli's grammar reads it back exactly: 3, 0.5, 1e-07, pi, -2."""
    if v == math.pi:
        return "pi"
    if v == math.e:
        return "e"
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


class _NotFinite(ArithmeticError):
    """A rule would make an infinite constant (1e308 * 10): the node is built again, plainly (`Symbolic.plain`)."""


class Symbolic:
    """A graph builder that simplifies while it builds.

    Every method takes and returns node ids of ``self.graph``.  That graph is
    printed, not evaluated: it has no evaluation plan (`compact` makes a graph
    that has one), and it keeps nodes a rule built and then did not use.  The op rows'
    ``derive`` rules call these methods (``s.mul(g, s.cos(a))``); any op of
    the table is also a method by its key (``s.cos``, ``s.sigmoid``, ``s.max``).

    Example:
        >>> s = Symbolic()
        >>> x = s.variable("x")
        >>> from cgcli.language.printer import to_text
        >>> to_text(s.graph, s.add(s.mul(s.const(2), x), x))
        '3 * x'
    """

    def __init__(self) -> None:
        self.graph = Graph()
        self._memo: dict[tuple[Any, ...], int] = {}
        self._consts: dict[str, int] = {}
        #: while true, the constructors only fold and share: set to build again a node whose
        #: rewriting overflowed a constant (see `plainly`)
        self.plain = False
        self.zero = self.const(0.0)
        self.one = self.const(1.0)

    # -- leaves -----------------------------------------------------------

    def const(self, v: float) -> int:
        """The constant node of value ``v`` (one node per value).

        Raises:
            _NotFinite: ``v`` is an infinity or NaN, which the grammar cannot write;
                the rule that combined constants into it is not applied.
        """
        v = float(v) + 0.0  # -0.0 is 0: the grammar cannot write it, and no rule needs it
        if v - v != 0:
            raise _NotFinite
        text = number_text(v)
        i = self._consts.get(text)
        if i is None:
            i = self._consts[text] = self.graph.constant(v, text)
        return i

    def variable(self, name: str) -> int:
        return self.graph.variable(name)

    def value(self, i: int) -> float | None:
        """The value of node ``i`` if it is a constant leaf, else None."""
        return self.graph.constants.get(i)

    def key(self, i: int) -> str:
        """The op key of node ``i`` ("" for a leaf)."""
        op = self.graph.ops[i]
        return op.key if op is not None else ""

    # -- any op -----------------------------------------------------------

    def apply(self, op: Op, *args: int) -> int:
        """``op`` applied to ``args``: folded if they are constants, else shared if made before."""
        constants = self.graph.constants
        for a in args:
            if a not in constants:
                break
        else:
            folded = _fold(op, [constants[a] for a in args])
            if folded is not None:
                return self.const(folded)
        key = op.key
        if key == "pow_var":  # pow and pow_var are one op to share: the graph picks the row
            op, key = _POW, "pow"
        elif op.arity == VARIADIC and all(a == args[0] for a in args):  # max(a, a) is a, and so is its gradient
            return args[0]
        # a + b and b + a are one node
        memo_key = (key, (args[1], args[0])) if key in _COMMUTATIVE and args[0] > args[1] else (key, args)
        i = self._memo.get(memo_key)
        if i is None:
            # a node as `Graph.apply` adds it, but without its evaluation plan (see `compact`)
            graph = self.graph
            if op is _POW and args[1] not in graph.constant_ids:
                op = _POW_VAR
            i = self._memo[memo_key] = len(graph.ops)
            graph.ops.append(op)
            graph.inputs.append(args)
            if graph.constant_ids.issuperset(args):
                graph.constant_ids.add(i)
        return i

    def __getattr__(self, name: str) -> Callable[..., int]:
        op = OPS.get(name)
        if op is None or name in _BUILDERS:
            raise AttributeError(name)
        method = functools.partial(self.apply, op)
        setattr(self, name, method)  # found directly from now on: rules call these for every node
        return method

    def build(self, op: Op, *args: int) -> int:
        """``op`` applied to ``args`` through its simplifying constructor."""
        builder = _BUILDERS.get(op.key)
        if builder is None:
            return self.apply(op, *args)
        return self.plainly(builder, self, *args)

    def plainly(self, make: Callable[..., Any], *args: Any) -> Any:
        """``make(*args)``; if a rewrite overflowed a constant, ``make`` again without rewriting."""
        try:
            return make(*args)
        except _NotFinite:
            self.plain = True
            try:
                return make(*args)
            finally:
                self.plain = False

    # -- the simplifying constructors ----------------------------------------

    def _term(self, i: int) -> tuple[float, int]:
        """``i`` as coefficient × base: 3 * x is (3, x), -x is (-1, x), x is (1, x)."""
        key = self.key(i)
        if key == "mul":
            a, b = self.graph.inputs[i]
            c = self.value(a)
            if c is not None:
                return c, b
        elif key == "neg":
            return -1.0, self.graph.inputs[i][0]
        return 1.0, i

    def scaled(self, c: float, base: int) -> int:
        """c × base, written the shortest way."""
        if c == 0:
            return self.zero
        if c == 1:
            return base
        if c == -1:
            return self.neg(base)
        return self.mul(self.const(c), base)

    def _power(self, i: int) -> tuple[int, float]:
        """``i`` as base ^ constant exponent: x^3 is (x, 3), x is (x, 1)."""
        if self.key(i) == "pow":
            a, b = self.graph.inputs[i]
            p = self.value(b)
            if p is not None:
                return a, p
        return i, 1.0

    def _collect(self, a: int, k: float, base: int) -> int | None:
        """``a + k·base`` when one of the last `COLLECT` terms of the sum ``a`` is a multiple of ``base``.

        The two terms merge and the terms above it are added back:
        (u + 2·v + w) + 3·v is (u + 5·v) + w.  None when no term matches.
        """
        above: list[tuple[str, int]] = []
        node = a
        out = None
        for _ in range(COLLECT):
            key = self.key(node)
            if key not in ("add", "sub"):
                kr, ur = self._term(node)  # the sum's first term
                if ur == base and above:
                    out = self.scaled(kr + k, base)
                break
            rest, right = self.graph.inputs[node]
            kr, ur = self._term(right)
            if ur == base:
                out = self.add(rest, self.scaled((kr if key == "add" else -kr) + k, base))
                break
            above.append((key, right))
            node = rest
        if out is None:
            return None
        for key, right in reversed(above):
            out = self.add(out, right) if key == "add" else self.sub(out, right)
        return out

    def _spread(self, a: int, b: int, sign: int) -> int | None:
        """``a ± (u ± v)`` as ``(a ± u) ± v`` or ``(a ± v) ± u``, when u or v collects with a term of
        ``a`` (so the result shrinks); else None."""
        key = self.key(b)
        if key not in ("add", "sub"):
            return None
        u, v = self.graph.inputs[b]
        signs = {u: sign, v: sign if key == "add" else -sign}
        ka, ua = self._term(a)
        for one, other in ((u, v), (v, u)):
            k, base = self._term(one)
            if ua == base:
                merged: int | None = self.scaled(ka + signs[one] * k, base)
            else:
                merged = self._collect(a, signs[one] * k, base)
            if merged is not None:
                return self.add(merged, other) if signs[other] > 0 else self.sub(merged, other)
        return None

    def add(self, a: int, b: int) -> int:
        if self.plain:
            return self.apply(_ADD, a, b)
        constants = self.graph.constants
        ca, cb = constants.get(a), constants.get(b)
        if ca is not None and cb is None:  # constants last: x + 1
            a, b, ca, cb = b, a, cb, ca
        if cb == 0:
            return a
        if ca is None and cb is not None and cb < 0:
            return self.sub(a, self.const(-cb))
        if cb is None:
            (ka, ua), (kb, ub) = self._term(a), self._term(b)
            if ua == ub:
                return self.scaled(ka + kb, ua)
            merged = self._collect(a, kb, ub)
            if merged is None:
                merged = self._spread(a, b, 1)
            if merged is not None:
                return merged
            if kb < 0:  # a + -u is a - u
                return self.sub(a, self.scaled(-kb, ub))
        if ca is None:
            ka, ua = self._term(a)
            if ka < 0:  # -u + b is b - u
                return self.sub(b, self.scaled(-ka, ua))
        return self.apply(_ADD, a, b)

    def sub(self, a: int, b: int) -> int:
        if self.plain:
            return self.apply(_SUB, a, b)
        ca, cb = self.value(a), self.value(b)
        if cb == 0:
            return a
        if ca == 0:
            return self.neg(b)
        if a == b:
            return self.zero
        if ca is None and cb is not None and cb < 0:
            return self.add(a, self.const(-cb))
        if cb is None:
            (ka, ua), (kb, ub) = self._term(a), self._term(b)
            if ua == ub:
                return self.scaled(ka - kb, ua)
            merged = self._collect(a, -kb, ub)
            if merged is None:
                merged = self._spread(a, b, -1)
            if merged is not None:
                return merged
            if kb < 0:  # a - -u is a + u
                return self.add(a, self.scaled(-kb, ub))
            if ka < 0 and ca is None:  # -u - b is -(u + b)
                return self.neg(self.add(self.scaled(-ka, ua), b))
        return self.apply(_SUB, a, b)

    def neg(self, a: int) -> int:
        if self.plain:
            return self.apply(_NEG, a)
        ca = self.graph.constants.get(a)
        if ca is not None:
            return self.const(-ca)
        op = self.graph.ops[a]
        key = op.key if op is not None else ""
        inputs = self.graph.inputs[a]
        if key == "neg":
            return inputs[0]
        if key == "sub":  # -(u - v) is v - u, exactly
            return self.apply(_SUB, inputs[1], inputs[0])
        if key == "mul" and self.value(inputs[0]) is not None:
            return self.scaled(-self.graph.constants[inputs[0]], inputs[1])
        return self.apply(_NEG, a)

    def mul(self, a: int, b: int) -> int:
        if self.plain:
            return self.apply(_MUL, a, b)
        constants = self.graph.constants
        ca, cb = constants.get(a), constants.get(b)
        if ca is None and cb is not None:  # constant factors first: 3 * x
            a, b, ca, cb = b, a, cb, ca
        if ca is not None and cb is None:
            if ca == 0:
                return self.zero
            if ca == 1:
                return b
            if ca == -1:
                return self.neg(b)
            key, inputs = self.key(b), self.graph.inputs[b]
            if key == "mul" and self.value(inputs[0]) is not None:
                return self.scaled(ca * self.graph.constants[inputs[0]], inputs[1])
            if key == "neg":
                return self.scaled(-ca, inputs[0])
            if key == "div" and self.value(inputs[0]) is not None:
                return self.div(self.const(ca * self.graph.constants[inputs[0]]), inputs[1])
            return self.apply(_MUL, a, b)
        if ca is None and cb is None:
            ops, inputs_of = self.graph.ops, self.graph.inputs
            for u, v in ((a, b), (b, a)):
                op = ops[u]
                if op is None:
                    continue
                key, inputs = op.key, inputs_of[u]
                if key == "neg":  # signs move outwards
                    return self.neg(self.mul(inputs[0], v))
                if key == "mul" and self.value(inputs[0]) is not None:  # so do constant factors
                    return self.scaled(self.graph.constants[inputs[0]], self.mul(inputs[1], v))
                if key == "div" and self.value(inputs[0]) is not None:  # v * (c / w) is c * (v / w)
                    return self.scaled(self.graph.constants[inputs[0]], self.div(v, inputs[1]))
            (ua, pa), (ub, pb) = self._power(a), self._power(b)
            if ua == ub:
                return self.pow(ua, self.const(pa + pb))
        return self.apply(_MUL, a, b)

    def div(self, a: int, b: int) -> int:
        if self.plain:
            return self.apply(_DIV, a, b)
        ca, cb = self.value(a), self.value(b)
        if cb is not None and ca is None:
            if cb == 1:
                return a
            if cb == -1:
                return self.neg(a)
        if ca == 0 and cb is None:
            return self.zero
        if a == b:
            return self.one
        if ca is not None and cb is not None:
            return self.apply(_DIV, a, b)
        # signs move outwards, and so do constant factors of the numerator:
        # -2 / x is -(2 / x), (3 * u) / v is 3 * (u / v)
        (ka, ua), (kb, ub) = self._term(a), self._term(b)
        if ua == ub:  # (3 * u) / (2 * u) is 1.5, as u / u is 1
            return self.const(ka / kb)
        if kb < 0:
            return self.neg(self.div(a, self.scaled(-kb, ub)))
        if ca is not None and ca < 0:
            return self.neg(self.div(self.const(-ca), b))
        if ka < 0:
            return self.neg(self.div(self.scaled(-ka, ua), b))
        if ka != 1 and cb is None:
            return self.scaled(ka, self.div(ua, b))
        return self.apply(_DIV, a, b)

    def pow(self, a: int, b: int) -> int:
        if self.plain:
            return self.apply(_POW, a, b)
        ca, cb = self.value(a), self.value(b)
        if cb is not None and ca is None:
            if cb == 0:  # cgcli's 0^0 is 1, so a^0 is 1 everywhere
                return self.one
            if cb == 1:
                return a
            base, p = self._power(a)
            if base != a and p.is_integer() and cb.is_integer():  # (u^2)^3 is u^6; (u^2)^0.5 is not u
                return self.pow(base, self.const(p * cb))
        if ca == 1:
            return self.one
        return self.apply(_POW, a, b)


_BUILDERS: dict[str, Callable[..., int]] = {
    "add": Symbolic.add,
    "sub": Symbolic.sub,
    "mul": Symbolic.mul,
    "div": Symbolic.div,
    "neg": Symbolic.neg,
    "pow": Symbolic.pow,
    "pow_var": Symbolic.pow,
}


def _fold(op: Op, values: list[float]) -> float | None:
    """``op`` of constant ``values``, or None where that is not a finite number inside its domain."""
    try:
        if op.domain is not None and not op.domain(*values):
            return None
        v = op.forward(*values)
    except (ArithmeticError, ValueError):
        return None
    return v if isinstance(v, float) and math.isfinite(v) else None


def copy(s: Symbolic, graph: Graph) -> list[int]:
    """Build ``graph`` into ``s`` (simplified); returns each node's new id."""
    new: list[int] = []
    for i, op in enumerate(graph.ops):
        if op is not None:
            args = [new[j] for j in graph.inputs[i]]
            builder = _BUILDERS.get(op.key)
            new.append(s.apply(op, *args) if builder is None else s.plainly(builder, s, *args))
        elif i in graph.constants:
            new.append(s.const(graph.constants[i]))
        else:
            new.append(s.variable(graph.leaf_text[i]))
    return new


def gradient(s: Symbolic, output: int) -> dict[str, int]:
    """The node of ∂output/∂v for every variable v of ``s.graph`` (the constant 0 where it does not depend on v).

    The backward pass of `cgcli.core.engine.backward`, over nodes: the
    output's adjoint is 1; each node, in reverse order, hands its inputs the
    contributions its row's ``derive`` rule builds; a fork sums them.
    """
    graph = s.graph
    adjoint: dict[int, int] = {output: s.one}
    constant_ids = graph.constant_ids
    for i in range(output, -1, -1):
        g = adjoint.get(i)
        op = graph.ops[i]
        if g is None or op is None or g == s.zero:
            continue
        inputs = graph.inputs[i]
        rule = op.derive or derive(op)  # derive() names the op that lacks a rule
        try:
            parts = rule(s, g, i, *inputs)
        except _NotFinite:
            parts = s.plainly(rule, s, g, i, *inputs)
        for j, d in zip(inputs, parts, strict=True):
            if d is None or j in constant_ids:
                continue
            before = adjoint.get(j)
            adjoint[j] = d if before is None else s.plainly(s.add, before, d)
    return {name: adjoint.get(i, s.zero) for name, i in graph.variables.items()}


def derive(op: Op) -> Callable[..., tuple[int | None, ...]]:
    """The row's rule: (s, upstream, node, *inputs) -> one contribution per input (None: not needed)."""
    if op.derive is None:
        raise NotImplementedError(f"the op {op.name} has no derive rule in the op table")
    return op.derive


def reachable(graph: Graph, roots: Iterable[int]) -> list[bool]:
    """Which nodes the ``roots`` depend on (an explicit stack: no recursion)."""
    seen = [False] * len(graph)
    stack = list(roots)
    while stack:
        i = stack.pop()
        if seen[i]:
            continue
        seen[i] = True
        stack.extend(j for j in graph.inputs[i] if not seen[j])
    return seen


def compact(graph: Graph, roots: list[int], variables: Iterable[str]) -> tuple[Graph, list[int]]:
    """A new graph of only the nodes ``roots`` depend on (every one of ``variables`` kept), with
    its evaluation plan; and each old node's new id (-1 for the nodes left out)."""
    keep = reachable(graph, roots)
    out = Graph(source=graph.source)
    for name in variables:
        out.variable(name)
    new = [-1] * len(graph)
    for i in range(len(graph)):
        if keep[i]:
            new[i] = out.copy_node(graph, i, new)
    return out, new
