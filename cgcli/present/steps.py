"""``grad --steps``: the backward pass told edge by edge, as the lecture walks it.

Nodes are visited from the output back to the inputs (reverse topological
order).  Each edge reads "upstream × local = contribution → input"; a value
used more than once (a fork) then shows the sum of what its uses sent.
Edges into constants are left out: nothing upstream of them wants a gradient.
"""

from __future__ import annotations

from typing import Any

from ..engine import Result
from .numbers import short, strict


def steps(result: Result) -> list[dict[str, Any]]:
    """The backward pass as records: one per edge, and one per fork with its sum."""
    graph = result.graph
    received: list[list[float]] = [[] for _ in range(len(graph))]
    received[graph.output].append(1.0)
    records: list[dict[str, Any]] = []
    for i in range(len(graph) - 1, -1, -1):
        if len(received[i]) > 1:
            records.append({"fork": i, "expr": graph.text(i), "contributions": received[i], "sum": result.grad[i]})
        for j, local in zip(graph.inputs[i], result.local[i], strict=True):
            if j in graph.constant_ids:
                continue
            contribution = result.grad[i] * local
            received[j].append(contribution)
            records.append(
                {
                    "node": i,
                    "op": graph.op_name(i),
                    "expr": graph.text(i),
                    "upstream": result.grad[i],
                    "local": local,
                    "contribution": contribution,
                    "to": j,
                    "to_expr": graph.text(j),
                }
            )
    return records


def steps_json(result: Result) -> list[dict[str, Any]]:
    """`steps` with strict JSON numbers."""
    numeric = {"upstream", "local", "contribution", "sum"}
    out = []
    for record in steps(result):
        row: dict[str, Any] = {}
        for key, value in record.items():
            if key == "contributions":
                row[key] = [strict(c) for c in value]
            else:
                row[key] = strict(value) if key in numeric else value
        out.append(row)
    return out


def steps_text(result: Result, digits: int = 6) -> str:
    """One line per edge: ``#14 div 1 / (…): upstream 1 × local -0.53 = -0.53 → #13 1 + exp(…)``."""
    lines = ["backward pass, from the output to the inputs:"]
    for r in steps(result):
        if "fork" in r:
            terms = " + ".join(short(c, digits) for c in r["contributions"])
            lines.append(f"  fork #{r['fork']} {r['expr']}: {terms} = {short(r['sum'], digits)}")
        else:
            lines.append(
                f"  #{r['node']} {r['op']} {r['expr']}: upstream {short(r['upstream'], digits)}"
                f" × local {short(r['local'], digits)} = {short(r['contribution'], digits)}"
                f" → #{r['to']} {r['to_expr']}"
            )
    return "\n".join(lines)
