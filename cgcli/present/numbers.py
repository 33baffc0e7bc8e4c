"""How numbers read, in every presenter."""

from __future__ import annotations

import math


def short(v: float, digits: int = 6) -> str:
    """``v`` to ``digits`` significant digits, without trailing zeros: -4, 0.731059, 1e-08."""
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    text = format(v, f".{digits}g")
    return "0" if text == "-0" else text


def strict(v: float) -> float | str:
    """A number for strict JSON: non-finite ones become "inf", "-inf" or "nan" (SPEC.md)."""
    if math.isfinite(v):
        return float(v)
    return short(v)
