"""``--json``: SPEC.md's shape, strict RFC 8259 JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from json.encoder import encode_basestring
from typing import Any

from ..core.engine import Result
from ..modes.check import CheckReport
from ..modes.descend import Descent
from .numbers import strict


def grad_json(result: Result) -> dict[str, Any]:
    """The ``grad --json`` document: value, gradient by variable, and every node."""
    graph = result.graph
    nodes = []
    for i in range(len(graph)):
        node: dict[str, Any] = {
            "id": i,
            "op": graph.op_name(i),
            "expr": graph.text(i),
            "inputs": list(graph.inputs[i]),
            "value": strict(result.value[i]),
            "local": [strict(d) for d in result.local[i]],
            "grad": strict(result.grad[i]),
        }
        if i in graph.names:
            node["name"] = graph.names[i]
        op = graph.ops[i]
        if op is not None and op.role:
            node["role"] = op.role
        if i in graph.fused:
            node["fused"] = True
        nodes.append(node)
    return {
        "expression": graph.source,
        "output": graph.output_name,
        "value": strict(result.output),
        "gradient": {name: strict(g) for name, g in result.gradient.items()},
        "nodes": nodes,
    }


def check_json(report: CheckReport) -> dict[str, Any]:
    """The ``check --json`` document of SPEC.md, with a few more keys (band, h, left/right at kinks)."""
    points = []
    for point in report.points:
        variables = {}
        for name, v in point.variables.items():
            row: dict[str, Any] = {
                "analytic": strict(v.analytic),
                "numeric": strict(v.numeric),
                "rel_error": strict(v.rel_error),
                "ok": v.ok,
                "kink": v.kink,
                "band": v.band,
                "decided_by": v.decided_by,
                "h": v.h,
            }
            if v.left is not None and v.right is not None:
                row["left"], row["right"] = strict(v.left), strict(v.right)
            if v.near_edge:
                row["near_edge"] = True
            if v.one_sided:
                row["one_sided"] = True
            if v.noise:
                row["noise"] = True
            variables[name] = row
        points.append(
            {"at": {k: strict(x) for k, x in point.at.items()}, "value": strict(point.value), "variables": variables}
        )
    return {
        "expression": report.expression,
        "ok": report.ok,
        "step": report.step,
        "tolerance": report.tolerance,
        "points": points,
        "method": report.method,
        "failed": report.failed,
        "redrawn": report.redrawn,
        "skipped": report.skipped,
    }


def grad_json_chunks(result: Result, extra: dict[str, Any] | None = None) -> Iterator[str]:
    """``dumps(grad_json(result) | extra)``, byte for byte, as pieces of text.

    Large graphs are why this exists: building a dict per node and encoding
    it spent half of ``grad --json``'s time (and the garbage collector's
    scans of those dicts).  Here each node's line is written from one
    template, with the encoder's own string escaping and float ``repr``, and
    the document leaves in chunks instead of one string (bench/json.py;
    tests/test_json_fast.py compares the two on every op and edge).
    """
    graph = result.graph
    yield "{\n" + ",\n".join(
        _line(key, value)
        for key, value in (
            ("expression", graph.source),
            ("output", graph.output_name),
            ("value", strict(result.output)),
            ("gradient", {name: strict(g) for name, g in result.gradient.items()}),
        )
    )
    yield ',\n  "nodes": [\n' if len(graph) else ',\n  "nodes": []'
    texts, values, locals_, grads = [graph.text(i) for i in range(len(graph))], result.value, result.local, result.grad
    ops, inputs, fused, names_ = graph.ops, graph.inputs, graph.fused, graph.names
    names = [graph.op_name(i) for i in range(len(graph))]
    chunk: list[str] = []
    for i in range(len(graph)):
        op = ops[i]
        tail = ""
        if i in names_:
            tail += f', "name": {_string(names_[i])}'
        if op is not None and op.role:
            tail += f', "role": {_string(op.role)}'
        if i in fused:
            tail += ', "fused": true'
        chunk.append(
            f'    {{"id": {i}, "op": {_string(names[i])}, "expr": {_string(texts[i])}, '
            f'"inputs": [{", ".join(map(str, inputs[i]))}], "value": {_number(values[i])}, '
            f'"local": [{", ".join(map(_number, locals_[i]))}], "grad": {_number(grads[i])}{tail}}}'
        )
        if len(chunk) == _CHUNK:
            yield ",\n".join(chunk) + ",\n"
            chunk = []
    if chunk:
        yield ",\n".join(chunk) + "\n"
    yield "  ]" if len(graph) else ""
    for key, value in (extra or {}).items():
        yield ",\n" + _line(key, value)
    yield "\n}"


#: node lines per piece of `grad_json_chunks`
_CHUNK = 4096

_string = encode_basestring


def _number(v: float) -> str:
    """A number as the encoder writes `strict(v)`: repr of the float, or "inf"/"-inf"/"nan" quoted."""
    if v - v == 0:  # finite (inf - inf and nan - nan are nan)
        return repr(float(v))
    return f'"{strict(v)}"'


def _line(key: str, value: Any) -> str:
    """One top-level member as `dumps` lays it out: a list of objects gets one item a line."""
    compact = _COMPACT
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        items = ",\n".join("    " + compact(item) for item in value)
        return f"  {compact(key)}: [\n{items}\n  ]"
    return f"  {compact(key)}: {compact(value)}"


# one encoder for every item: json.dumps with options builds a new one per call
_COMPACT = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


def descend_json(run: Descent) -> dict[str, Any]:
    """The ``descend --json`` document of SPEC.md: every step kept, and the final point."""
    names = list(run.graph.variables)
    steps = [
        {
            "step": k,
            "value": strict(run.values[k]),
            "point": {name: strict(x) for name, x in zip(names, run.points[k], strict=True)},
            "gradient": {name: strict(d) for name, d in zip(run.wrt, run.gradients[k], strict=True)},
        }
        for k in range(len(run.values))
    ]
    return {
        "expression": run.graph.source,
        "output": run.graph.output_name,
        "lr": run.lr,
        "wrt": run.wrt,
        "converged": run.converged,
        "steps": steps,
        "final": {"value": strict(run.values[-1]), "point": steps[-1]["point"]},
        "tol": run.tol,
        "stopped": run.stopped,
    }


def dumps(document: dict[str, Any]) -> str:
    """Strict JSON text laid out as in SPEC.md: a key a line, a list item a line.

    ``allow_nan=False`` makes a forgotten non-finite number fail loudly
    instead of writing ``NaN``, which is not JSON.
    """

    return "{\n" + ",\n".join(_line(key, value) for key, value in document.items()) + "\n}"
