"""What a node is called in a picture: its op's symbol or name, a leaf's text, its role."""

from __future__ import annotations

from ..graph import Graph


def gate(graph: Graph, i: int) -> str:
    """``x``, ``2``, ``+``, ``*``, ``exp``, ``σ`` (a fused sigmoid)."""
    op = graph.ops[i]
    if op is None:
        return graph.leaf_text[i]
    if i in graph.fused:
        return "σ (fused)"
    return op.symbol or op.name


def caption(graph: Graph, i: int) -> str:
    """The gate with its op name and role: ``* mul · switcher``."""
    op = graph.ops[i]
    text = gate(graph, i)
    if op is not None and op.symbol:
        text += f" {op.name}"
    if op is not None and op.role:
        text += f" · {op.role}"
    return text
