"""``cgcli diff --json``: SPEC.md's shape (expression, output, shared, derivatives, hessian)."""

from __future__ import annotations

from typing import Any

from ..modes.diff import Derivative, Derivatives
from .diff_text import expression, program, statements
from .numbers import strict


def _entry(result: Derivatives, d: Derivative) -> dict[str, Any]:
    entry: dict[str, Any] = {"expr": expression(result, d), "program": program(result, d)}
    if d.value is not None:
        entry["value"] = strict(d.value)
    return entry


def diff_json(result: Derivatives) -> dict[str, Any]:
    """The document: ``shared`` holds every statement; each ``program`` repeats the ones it needs."""
    document: dict[str, Any] = {
        "expression": result.graph.source,
        "output": result.output,
        "shared": [
            {"name": name, "expr": text.split(" = ", 1)[1]}
            for name, text in zip(result.shared.values(), statements(result), strict=True)
        ],
        "derivatives": {v: _entry(result, d) for v, d in result.derivatives.items()},
    }
    if result.order > 1:
        document["order"] = result.order
    if result.hessian is not None:
        document["hessian"] = {u: {v: _entry(result, d) for v, d in row.items()} for u, row in result.hessian.items()}
    if result.value is not None:
        document["value"] = strict(result.value)
    return document
