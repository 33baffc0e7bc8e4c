"""``cgcli diff`` as a library function: the derivatives of a graph, as one shared graph.

`differentiate` runs symbolic reverse mode (`cgcli.evaluators.symbolic`)
once per order asked for, keeps only the nodes the requested derivatives
use, and names the sub-expressions used more than once (``t1``, ``t2``, …,
never a name the expression already uses).  The printers in
`cgcli.present` (text, LaTeX, Python, JSON) read the `Derivatives` it returns.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..core.engine import check_point, evaluate, forward
from ..core.graph import Graph
from ..core.ops import CONSTANTS, FUNCTIONS
from ..errors import UsageError
from ..evaluators.symbolic import Symbolic, compact, copy, gradient, reachable


@dataclass
class Derivative:
    """One derivative: ∂ⁿf/∂v…, its node in `Derivatives.graph`, and its value where asked."""

    wrt: tuple[str, ...]  # the variables, in the order of differentiation: ("x", "y") is ∂²f/∂x∂y
    node: int
    value: float | None = None


@dataclass
class Derivatives:
    """What `differentiate` found.

    Attributes:
        graph: one graph holding f and every derivative (and nodes the rules built but left unused:
            read it from the nodes below, as the printers do).
        function: f's node in it.
        output: f's name ("f", or the name a program gave its last statement).
        derivatives: first derivatives by variable, or the ``order``-th ones.
        hessian: ∂²f/∂u∂v by u then v, with ``--hessian``.
        shared: node -> statement name, for the nodes the derivatives use more than once,
            in topological order.
        order: how many times ``derivatives`` were differentiated.
        value: f's value, when a point was given.
        named: node -> the name the program gave it (``q`` of ``q = x + y``).
    """

    graph: Graph
    function: int
    output: str
    derivatives: dict[str, Derivative]
    hessian: dict[str, dict[str, Derivative]] | None = None
    shared: dict[int, str] = field(default_factory=dict)
    order: int = 1
    value: float | None = None
    named: dict[int, str] = field(default_factory=dict)

    def all(self) -> list[Derivative]:
        """Every derivative to print: the hessian's when there is one, else ``derivatives``."""
        if self.hessian is not None:
            return [d for row in self.hessian.values() for d in row.values()]
        return list(self.derivatives.values())

    def size(self) -> int:
        """How many nodes the printed derivatives use, shared statements and leaves included."""
        return sum(reachable(self.graph, [d.node for d in self.all()]))


def differentiate(
    graph: Graph,
    wrt: Sequence[str] | None = None,
    order: int = 1,
    hessian: bool = False,
    point: Mapping[str, float] | None = None,
    output: str | None = None,
) -> Derivatives:
    """The derivatives of ``graph``'s output, symbolically.

    Args:
        graph: from `cgcli.parse` (or `cgcli.fuse`).
        wrt: the variables to differentiate by (default: all, in order of first use).
        order: differentiate this many times (needs ``wrt`` to name exactly one variable).
        hessian: also every second derivative ∂²f/∂u∂v of the ``wrt`` variables.
        point: values of every variable: each derivative's value there is filled in.
        output: f's name (default: the program's, `Graph.output_name`).

    Raises:
        UsageError: an unknown ``wrt`` name, ``order`` without exactly one
            ``wrt`` variable, or ``order`` with ``hessian``.
        DomainError: the point lies outside a function's domain.

    Example:
        >>> from cgcli import parse
        >>> from cgcli.language.printer import to_text
        >>> d = differentiate(parse("x^3"))
        >>> to_text(d.graph, d.derivatives["x"].node)
        '3 * x ^ 2'
    """
    names = _wrt(graph, wrt, order, hessian)
    first = None
    if point is not None:
        check_point(graph, point)
        first = evaluate(graph, point)  # f's own value and gradient: the numbers grad prints
    # NOTE: the builder makes a tuple or two a node and no cycles; the cyclic collector
    # would rescan the growing heap for nothing (as in engine.evaluate)
    collecting = gc.isenabled()
    gc.disable()
    try:
        s = Symbolic()
        s.graph.source = graph.source
        new = copy(s, graph)
        f = new[graph.output]
        grads = gradient(s, f)
        nodes: dict[tuple[str, ...], int] = {}
        for v in names:
            node = grads[v]
            for _ in range(order - 1):
                node = gradient(s, node)[v]
            nodes[(v,) * order] = node
        if hessian:
            for u in names:
                second = gradient(s, grads[u])
                for v in names:
                    nodes[(u, v)] = second[v]
    finally:
        if collecting:
            gc.enable()
    made = {key: Derivative(key, node) for key, node in nodes.items()}
    # the program's own names (q of q = x + y) name the nodes they still stand for
    named = {new[i]: name for i, name in graph.names.items() if s.graph.ops[new[i]] is not None}
    result = Derivatives(s.graph, f, output or graph.output_name, {}, order=order, named=named)
    if hessian:
        result.derivatives = {v: Derivative((v,), grads[v]) for v in names}
        result.hessian = {u: {v: made[(u, v)] for v in names} for u in names}
    else:
        result.derivatives = {v: made[(v,) * order] for v in names}
    avoid = set(graph.variables) | set(graph.definitions) | {result.output}
    result.shared = shared_names(s.graph, [d.node for d in result.all()], avoid, named)
    if point is not None and first is not None:
        result.value = first.output
        for d in result.derivatives.values():
            if order == 1:
                d.value = first.gradient[d.wrt[0]]  # exactly grad's number
        later = [d for d in made.values() if len(d.wrt) > 1]
        if later:  # higher derivatives: a forward pass over the nodes they use
            small, new = compact(s.graph, [d.node for d in later], graph.variables)
            values = forward(small, point)[0]
            for d in later:
                d.value = values[new[d.node]]
    return result


def _wrt(graph: Graph, wrt: Sequence[str] | None, order: int, hessian: bool) -> list[str]:
    if order < 1:
        raise UsageError(f"--order must be 1 or more, not {order}")
    if order > 1 and hessian:
        raise UsageError("--order and --hessian cannot be combined: --hessian gives the second derivatives")
    names = list(graph.variables) if not wrt else list(dict.fromkeys(wrt))
    unknown = [v for v in names if v not in graph.variables]
    if unknown:
        uses = ", ".join(graph.variables) if graph.variables else "no variables"
        raise UsageError(f"--wrt names {', '.join(unknown)}, which the expression does not use (it uses {uses})")
    if order > 1 and (not wrt or len(names) != 1):  # by which variable must be said, even when there is one
        raise UsageError(f"--order {order} differentiates by one variable: give exactly one, as in --wrt x")
    return names


def shared_names(
    graph: Graph, roots: list[int], avoid: set[str], named: Mapping[int, str] | None = None
) -> dict[int, str]:
    """Name every op node that ``roots`` use more than once: t1, t2, … (skipping the names in ``avoid``).

    A root counts as one use, so a root that is also used inside another
    expression is named too.  A node the program named (``named``) keeps
    its name, and is a statement however often it is used, as in the
    lecture's staged code.  Names go in topological order.
    """
    named = named or {}
    uses = [0] * len(graph)
    seen = [False] * len(graph)
    stack = list(roots)
    for r in roots:
        uses[r] += 1
    while stack:
        i = stack.pop()
        if seen[i]:
            continue
        seen[i] = True
        for j in graph.inputs[i]:
            uses[j] += 1
            if not seen[j]:
                stack.append(j)
    names: dict[int, str] = {}
    taken = avoid | set(named.values()) | set(CONSTANTS) | set(FUNCTIONS)
    k = 0
    for i, op in enumerate(graph.ops):
        if op is None or not seen[i]:
            continue
        if i in named:
            names[i] = named[i]
            continue
        if uses[i] < 2 or _trivial(graph, i):
            continue
        k += 1
        while f"t{k}" in taken:
            k += 1
        names[i] = f"t{k}"
    return names


def _trivial(graph: Graph, i: int) -> bool:
    """A node as short to repeat as to name: the negation of a leaf."""
    op = graph.ops[i]
    return op is not None and op.key == "neg" and graph.ops[graph.inputs[i][0]] is None


def program_nodes(graph: Graph, root: int, shared: Mapping[int, str]) -> list[int]:
    """The shared nodes ``root``'s expression needs, directly or through others, in topological order."""
    needed: set[int] = set()
    seen: set[int] = set()
    stack = [root]
    while stack:
        i = stack.pop()
        if i in seen:
            continue
        seen.add(i)
        if i in shared:  # the root too, when it is shared: the program ends with its name
            needed.add(i)
        stack.extend(j for j in graph.inputs[i] if j not in seen)
    return sorted(needed)
