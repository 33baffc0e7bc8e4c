"""``--json``: SPEC.md's shape, strict RFC 8259 JSON."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

from ..core.engine import Result
from ..modes.check import CheckReport
from ..modes.descend import Descent
from .numbers import strict


def grad_json(result: Result, lazy: bool = False) -> dict[str, Any]:
    """The ``grad --json`` document: value, gradient by variable, and every node.

    With ``lazy``, "nodes" is a `Lazy` list that makes each node's dict as `dump_pieces`
    writes it: a dict is some 500 bytes, and a million of them at once would be the
    largest thing in the process (docs/limits.md: Memory).
    """
    graph = result.graph
    nodes = Lazy(len(graph), lambda i: _node(result, i))
    return {
        "expression": graph.source,
        "output": graph.output_name,
        "value": strict(result.output),
        "gradient": {name: strict(g) for name, g in result.gradient.items()},
        "nodes": nodes if lazy else list(nodes),
    }


def _node(result: Result, i: int) -> dict[str, Any]:
    graph = result.graph
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
    return node


class Lazy:
    """A list of ``count`` dicts, each made by ``make(i)`` when it is read, and not kept."""

    def __init__(self, count: int, make: Callable[[int], dict[str, Any]]) -> None:
        self.count, self.make = count, make

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return map(self.make, range(self.count))


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
    return "".join(dump_pieces(document))


#: list items written together by `dump_pieces`
BATCH = 1_000


def dump_pieces(document: dict[str, Any]) -> Iterator[str]:
    """`dumps`'s text in pieces of whole lines (a `Lazy` list's items made as they are written)."""
    # one encoder for every item: json.dumps with options builds a new one per call
    compact = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    yield "{\n"
    for k, (key, value) in enumerate(document.items()):
        comma = ",\n" if k else ""
        if (
            isinstance(value, Lazy)
            and len(value)
            or (isinstance(value, list) and value and all(isinstance(item, dict) for item in value))
        ):
            yield f"{comma}  {compact(key)}: [\n"
            items = iter(value)
            first = True
            while batch := list(itertools.islice(items, BATCH)):
                yield ("" if first else ",\n") + ",\n".join("    " + compact(item) for item in batch)
                first = False
            yield "\n  ]"
        else:
            yield f"{comma}  {compact(key)}: {compact(list(value) if isinstance(value, Lazy) else value)}"
    yield "\n}"
