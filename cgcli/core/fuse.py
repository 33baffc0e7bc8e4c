"""Fuse ``1/(1+exp(-E))`` (and ``1/(exp(-E)+1)``) into one sigmoid gate.

The lecture's point: any differentiable function can be a gate, and
grouping the sigmoid's five nodes into one keeps the same gradients while
the backward pass gets shorter, with local gradient (1-σ)σ.  `fuse`
returns a new graph; the original is left as it was.
"""

from __future__ import annotations

from .graph import Graph
from .ops import OPS

SIGMOID = OPS["sigmoid"]


def fuse(graph: Graph) -> Graph:
    """A copy of ``graph`` with every sigmoid pattern collapsed into one ``sigmoid`` node.

    Only nodes used nowhere else, and named by no statement, are absorbed,
    so the result computes the same function and gradients and loses no
    name: a name on the whole ``1/(1+exp(-E))`` goes to its sigmoid gate.
    The fused gates' ids are in ``result.fused``.

    Example:
        >>> from cgcli import parse
        >>> g = fuse(parse("1/(1+exp(-(w*x)))"))
        >>> [g.op_name(i) for i in range(len(g))], g.fused
        (['var', 'var', 'mul', 'sigmoid'], {3})
    """
    uses = [0] * len(graph)
    for inputs in graph.inputs:
        for j in inputs:
            uses[j] += 1
    inner: dict[int, int] = {}  # div node -> the id of E
    absorbed: set[int] = set()
    for i in range(len(graph)):
        match = _match(graph, i, uses)
        if match is not None:
            inner[i], nodes = match
            absorbed |= nodes
    fused = Graph(
        source=graph.source,
        output_alias=graph.output_alias,
        definitions=graph.definitions,
        warnings=graph.warnings,
        unused_variables=graph.unused_variables,
    )
    new_id: dict[int, int] = {}
    for i in range(len(graph)):
        if i in absorbed:
            continue
        if i in inner:
            new_id[i] = fused.apply(SIGMOID, new_id[inner[i]])
            fused.fused.add(new_id[i])
        else:
            new_id[i] = fused.copy_node(graph, i, new_id)
        if i in graph.names:
            fused.names[new_id[i]] = graph.names[i]
    return fused


def _match(graph: Graph, i: int, uses: list[int]) -> tuple[int, set[int]] | None:
    """If node i is 1/(1+exp(-E)) or 1/(exp(-E)+1): (E, the nodes it absorbs)."""

    # a named node is shown by its name: absorbing it would lose the name
    def is_op(k: int, name: str) -> bool:
        op = graph.ops[k]
        return op is not None and op.key == name and uses[k] == 1 and k not in graph.names

    def is_one(k: int) -> bool:
        return graph.constants.get(k) == 1.0 and uses[k] == 1 and k not in graph.names

    if not (graph.ops[i] is not None and graph.ops[i].key == "div"):  # type: ignore[union-attr]
        return None
    one, denominator = graph.inputs[i]
    if not (is_one(one) and is_op(denominator, "add")):
        return None
    a, b = graph.inputs[denominator]
    one_plus, exp = (a, b) if is_one(a) else (b, a)
    if not (is_one(one_plus) and is_op(exp, "exp")):
        return None
    (negation,) = graph.inputs[exp]
    if not is_op(negation, "neg"):
        return None
    (e,) = graph.inputs[negation]
    return e, {one, denominator, one_plus, exp, negation}
