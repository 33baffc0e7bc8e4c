"""What a node is called in a picture: its op's symbol or name, a leaf's text, its role."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from ..core.engine import Result
from ..core.graph import Graph


class Edge(NamedTuple):
    """An edge from input ``source`` to node ``target``; the numbers are None without values."""

    source: int
    target: int
    value: float | None  # the forward value carried: the source's value
    grad: float | None  # the gradient flowing back along it: upstream × local (None into a constant)
    local: float | None  # ∂target/∂source (None into a constant)


def edges(graph: Graph, result: Result | None) -> Iterator[Edge]:
    """Every edge of the graph, inputs first, with the numbers a picture writes on it."""
    for i, inputs in enumerate(graph.inputs):
        for k, j in enumerate(inputs):
            if result is None:
                yield Edge(j, i, None, None, None)
            elif j in graph.constant_ids:  # nothing flows back into a constant: no numbers to draw
                yield Edge(j, i, result.value[j], None, None)
            else:
                local = result.local[i][k]
                yield Edge(j, i, result.value[j], result.grad[i] * local, local)


def gate(graph: Graph, i: int) -> str:
    """``x``, ``2``, ``+``, ``*``, ``exp``, ``σ`` (a fused sigmoid)."""
    op = graph.ops[i]
    if op is None:
        return graph.leaf_text[i]
    if i in graph.fused:
        return "σ (fused)"
    return op.symbol or op.name


def caption(graph: Graph, i: int) -> str:
    """The gate with its op name and role, after the node's name: ``* mul · switcher``, ``q: + add · distributor``."""
    op = graph.ops[i]
    text = gate(graph, i)
    if i in graph.names:
        text = f"{graph.names[i]}: {text}"
    if op is not None and op.symbol:
        text += f" {op.name}"
    if op is not None and op.role:
        text += f" · {op.role}"
    return text
