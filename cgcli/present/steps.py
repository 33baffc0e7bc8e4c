"""``grad --steps``: the backward pass told edge by edge, as the lecture walks it.

Nodes are visited from the output back to the inputs (reverse topological
order).  Each edge reads "upstream × local = contribution → input"; a value
used more than once (a fork) then shows the sum of what its uses sent.
Edges into constants are left out: nothing upstream of them wants a gradient.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..core.engine import Result
from ..errors import number_text
from .numbers import short, strict


def steps(result: Result) -> list[dict[str, Any]]:
    """The backward pass as records: one per edge, and one per fork with its sum."""
    graph = result.graph
    received: list[list[float]] = [[] for _ in range(len(graph))]
    received[graph.output].append(1.0)
    records: list[dict[str, Any]] = []
    for i in range(len(graph) - 1, -1, -1):
        if len(received[i]) > 1:
            record: dict[str, Any] = {"fork": i, "expr": graph.text(i), "contributions": received[i]}
            record["sum"] = result.grad[i]
            if i in graph.names:
                record["name"] = graph.names[i]
            records.append(record)
        op = graph.ops[i]
        formulas = op.formula if op is not None else ()
        for k, (j, local) in enumerate(zip(graph.inputs[i], result.local[i], strict=True)):
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
                    "formula": formulas[k] if k < len(formulas) else "",
                    "contribution": contribution,
                    "to": j,
                    "to_expr": graph.text(j),
                }
            )
            if i in graph.names:
                records[-1]["name"] = graph.names[i]
            if j in graph.names:
                records[-1]["to_name"] = graph.names[j]
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
            terms = _sum(r["contributions"], digits)
            lines.append(f"  fork #{r['fork']} {r.get('name', r['expr'])}: {terms} = {short(r['sum'], digits)}")
        else:
            local = short(r["local"], digits)
            if r["formula"]:
                filled = _fill(r["formula"], _letters(result, r["node"]), digits)
                local = local if filled == local else f"{filled} ({local})"
            lines.append(
                f"  #{r['node']} {r['op']} {r.get('name', r['expr'])}: upstream {short(r['upstream'], digits)}"
                f" × local {local} = {short(r['contribution'], digits)}"
                f" → #{r['to']} {r.get('to_name', r['to_expr'])}"
            )
    return "\n".join(lines)


def _sum(terms: list[float], digits: int) -> str:
    """``0.909 + 0.135 - 1``: a negative term after the first is subtracted, not added as ``+ -1``."""
    text = short(terms[0], digits)
    for t in terms[1:]:
        shown = short(t, digits)
        text += f" - {shown[1:]}" if shown.startswith("-") else f" + {shown}"
    return text


def _letters(result: Result, i: int) -> dict[str, float]:
    """The numbers a formula of node ``i`` speaks of: y its value, a and b its inputs' values."""
    inputs = (result.value[j] for j in result.graph.inputs[i])
    return {"y": result.value[i]} | dict(zip("ab", inputs, strict=False))


_LETTER = re.compile(r"(?<![A-Za-z])[aby](?![A-Za-z])")


def _fill(formula: str, letters: dict[str, float], digits: int) -> str:
    """Put the numbers in: "-a/b²" at a=1, b=1.5 gives "-1/1.5²"; a negative number is bracketed.

    An operand that ``digits`` would round is written in full (shortest round-trip
    text): at --digits 2, "-1/1.4²" would claim -0.51 where the local is -0.53.
    """

    def number(match: re.Match[str]) -> str:
        value = letters[match.group()]
        text = short(value, digits)
        if math.isfinite(value) and float(text) != value:
            text = number_text(value)
        before = formula[match.start() - 1] if match.start() else ""
        whole = match.start() == 0 and match.end() == len(formula)
        if text.startswith("-") and not whole and before not in "(^":
            return f"({text})"
        return text

    return _LETTER.sub(number, formula)
