"""Gradient checking: analytic gradients against numeric ones, as CS231n advises.

For every variable the check computes the centred difference
``(f(x+h) - f(x-h)) / 2h`` (or the complex step ``Im f(x+ih)/h``) and
``rel_error = |a - n| / max(|a|, |n|)``.  Two things make it trustworthy
where gradcheck-style tools are not:

* **Kinks.**  Where relu, abs, max or min changes branch between x-h and
  x+h (`Op.branch` tells which piece each takes), the centred difference
  averages two slopes and means little.  The variable is marked ``kink``
  and passes if the analytic value lies between the left and the right
  one-sided differences, which is what a subgradient must do.
* **Round-off.**  Where the gradient is ~0, rel_error compares two tiny
  numbers and can be large for no fault of the gradient.  A variable also
  passes when |a - n| is below the round-off of the difference quotient
  itself (8·ε·|f|/h); that is reported as ``noise``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..core.engine import evaluate, forward
from ..core.graph import Graph
from ..errors import DomainError, EvaluationError, UsageError
from .check_defaults import DEFAULT_RANGE, DEFAULT_SEED, DEFAULT_STEP, DEFAULT_TOLERANCE

EDGE_SHRINKS = 3  # times h is divided by 10 to keep x ± h inside the domain
MAX_TRIES = 100  # draws per random point before it is given up as outside the domain

EPS = 2.220446049250313e-16

#: CS231n's bands of rel_error, from the top
BANDS = ((1e-2, "wrong"), (1e-4, "uncomfortable"), (1e-7, "fine only at kinks"), (0.0, "good"))


def band(rel_error: float) -> str:
    """CS231n's verdict on a relative error."""
    if math.isnan(rel_error):
        return "wrong"
    return next(name for bound, name in BANDS if rel_error > bound or bound == 0.0)


def relative_error(analytic: float, numeric: float) -> float:
    """|a - n| / max(|a|, |n|), and 0 when both are 0 (SPEC.md)."""
    if analytic == numeric:
        return 0.0
    if math.isinf(analytic) or math.isinf(numeric):
        return math.inf  # inf/inf would say nan; the two are as far apart as can be
    return abs(analytic - numeric) / max(abs(analytic), abs(numeric))


@dataclass
class VariableCheck:
    """One variable at one point."""

    analytic: float
    numeric: float
    rel_error: float
    ok: bool
    kink: bool
    h: float
    #: one-sided differences, where a kink lies within h
    left: float | None = None
    right: float | None = None
    #: x ± h left the domain: h was made smaller
    near_edge: bool = False
    #: ... and even then one side stayed outside: a one-sided difference was used
    one_sided: bool = False
    #: passed only because |a - n| is below the difference's round-off
    noise: bool = False
    #: the analytic gradient is ±inf, and the differences grow without bound toward it
    #: as h shrinks (``diverging`` holds them, at h and h/100)
    infinite: bool = False
    diverging: tuple[float, float] | None = None

    @property
    def band(self) -> str:
        return band(self.rel_error)

    @property
    def decided_by(self) -> str:
        """What settled ``ok``: "band" (rel_error against the tolerance), "kink", "round-off" or "not finite"."""
        if not math.isfinite(self.analytic):
            return "not finite"
        if self.kink and self.left is not None and self.right is not None:
            return "kink"
        return "round-off" if self.noise else "band"


@dataclass
class PointCheck:
    """Every variable at one point."""

    at: dict[str, float]
    value: float
    variables: dict[str, VariableCheck]
    #: overflow and NaN notes from the analytic pass, as `Result.warnings`
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(v.ok for v in self.variables.values())


@dataclass
class CheckReport:
    """The result of `check`: every point, and what it took to draw them."""

    expression: str
    method: str
    step: float
    tolerance: float
    points: list[PointCheck] = field(default_factory=list)
    #: random draws outside a function's domain, drawn again
    redrawn: int = 0
    #: random points given up after MAX_TRIES draws
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.points)

    @property
    def warnings(self) -> list[str]:
        """The points' overflow and NaN notes, each once however many points share it."""
        return list(dict.fromkeys(w for p in self.points for w in p.warnings))

    @property
    def failed(self) -> int:
        return sum(not p.ok for p in self.points)

    def worst(self) -> tuple[PointCheck, str, VariableCheck] | None:
        """The point and variable with the largest rel_error (NaN counts as largest)."""
        rows = [(p, name, v) for p in self.points for name, v in p.variables.items()]
        if not rows:
            return None
        return max(rows, key=lambda row: math.inf if math.isnan(row[2].rel_error) else row[2].rel_error)


def check(
    graph: Graph,
    point: Mapping[str, float],
    *,
    step: float = DEFAULT_STEP,
    tolerance: float = DEFAULT_TOLERANCE,
    method: str = "central",
    samples: int | None = None,
    seed: int = DEFAULT_SEED,
    value_range: tuple[float, float] = DEFAULT_RANGE,
) -> CheckReport:
    """Check the analytic gradient of ``graph`` against numeric differences.

    Args:
        graph: from `cgcli.parse`.
        point: the variables' values; with ``samples``, the ones held fixed.
        step: h is ``step · max(1, |x|)`` for a variable at x.
        tolerance: the largest rel_error that passes.
        method: ``"central"`` differences or the ``"complex"`` step.
        samples: check this many random points instead of one.
        seed: makes the random points reproducible.
        value_range: random values are drawn uniformly from [lo, hi).

    Returns:
        A `CheckReport`; ``report.ok`` is False when any variable fails.

    Raises:
        UsageError: a variable is missing (without samples) or not in the expression.
        DomainError: the one given point is outside a function's domain.
        EvaluationError: with ``samples``, no point inside the domain could be drawn.

    Example:
        >>> from cgcli import parse
        >>> check(parse("x*x"), {"x": 3.0}).ok
        True
    """
    report = CheckReport(graph.source, method, step, tolerance)
    if samples is None:
        report.points.append(check_at(graph, point, step, tolerance, method))
        return report
    unknown = [name for name in point if name not in graph.variables]
    defined = [name for name in unknown if name in graph.definitions]
    if defined:  # a program's own name (the CLI catches it first, with a caret)
        raise UsageError(f"{defined[0]} is defined by the program and takes no value")
    if unknown:
        raise UsageError(f"the expression does not use {', '.join(unknown)}")
    import random  # only --random needs it

    rng = random.Random(seed)
    lo, hi = value_range
    for _ in range(samples):
        for _ in range(MAX_TRIES):
            drawn = {name: point[name] if name in point else rng.uniform(lo, hi) for name in graph.variables}
            try:
                report.points.append(check_at(graph, drawn, step, tolerance, method))
                break
            except DomainError:
                report.redrawn += 1
        else:
            report.skipped += 1
    if not report.points:
        raise EvaluationError(f"no random point inside the domain in {MAX_TRIES} draws each; try another --range")
    return report


def check_at(graph: Graph, point: Mapping[str, float], step: float, tolerance: float, method: str) -> PointCheck:
    """Check every variable at one point."""
    result = evaluate(graph, point)
    f0 = result.output
    here = _branches(graph, result.value)
    checks = {}
    for name in graph.variables:
        x = float(point[name])
        h = step * max(1.0, abs(x))
        below, above = _at(graph, point, name, x - h), _at(graph, point, name, x + h)
        near_edge = below is None or above is None
        if near_edge:
            # Near the edge of the domain: bring h in until both sides fit, then once
            # more, since the function is steep there; else fall back to one side.
            for _ in range(EDGE_SHRINKS):
                h /= 10
                below, above = _at(graph, point, name, x - h), _at(graph, point, name, x + h)
                if below and above:
                    h /= 10
                    below, above = _at(graph, point, name, x - h), _at(graph, point, name, x + h)
                    break
        analytic = result.gradient[name]
        numeric, one_sided = _difference(graph, point, name, x, h, f0, below, above)
        if method == "complex":
            from ..evaluators import complexstep  # builds its own op table: only when asked for

            numeric = complexstep.derivative(graph, point, name)
            noise = 8 * EPS * abs(f0)
        else:
            noise = 8 * EPS * max(abs(f0), *(abs(side[0]) for side in (below, above) if side)) / h
        rel = relative_error(analytic, numeric)
        kink = any(side is not None and side[1] != here for side in (below, above))
        check = VariableCheck(analytic, numeric, rel, False, kink, h, one_sided=one_sided, near_edge=near_edge)
        if not math.isfinite(analytic):
            # NOTE: an infinite derivative (sqrt at 0) cannot be compared with a finite
            # difference; it is right if the differences grow toward it as h shrinks
            check.diverging = _diverging(graph, point, name, x, h, f0)
            wide, narrow = check.diverging
            check.infinite = check.ok = (
                not math.isnan(analytic)
                and abs(narrow) > 5 * abs(wide)
                and math.copysign(1.0, narrow) == math.copysign(1.0, analytic)
            )
        elif kink and below and above:
            check.left, check.right = (f0 - below[0]) / h, (above[0] - f0) / h
            slack = tolerance * max(abs(check.left), abs(check.right)) + noise
            check.ok = min(check.left, check.right) - slack <= analytic <= max(check.left, check.right) + slack
        else:
            check.ok = rel <= tolerance
            if not check.ok and abs(analytic - numeric) <= noise:
                check.ok = check.noise = True
        checks[name] = check
    return PointCheck(dict(point), f0, checks, result.warnings)


def _diverging(
    graph: Graph, point: Mapping[str, float], name: str, x: float, h: float, f0: float
) -> tuple[float, float]:
    """The difference at h and at h/100: an infinite derivative makes the second far larger."""
    out = []
    for step in (h, h / 100):
        below, above = _at(graph, point, name, x - step), _at(graph, point, name, x + step)
        out.append(_difference(graph, point, name, x, step, f0, below, above)[0])
    return out[0], out[1]


def _at(graph: Graph, point: Mapping[str, float], name: str, x: float) -> tuple[float, tuple[object, ...]] | None:
    """f and the branches taken with ``name`` moved to x; None outside the domain."""
    try:
        value, _ = forward(graph, {**point, name: x})
    except DomainError:
        return None
    return value[graph.output], _branches(graph, value)


def _difference(
    graph: Graph,
    point: Mapping[str, float],
    name: str,
    x: float,
    h: float,
    f0: float,
    below: tuple[float, object] | None,
    above: tuple[float, object] | None,
) -> tuple[float, bool]:
    """The centred difference; a second-order one-sided one where a side leaves the domain."""
    if below and above:
        return (above[0] - below[0]) / (2 * h), False
    # (-3 f(x) + 4 f(x+h) - f(x+2h)) / 2h, or its mirror: as accurate as the centred one
    sign = 1.0 if above else -1.0
    near = above or below
    far = _at(graph, point, name, x + 2 * sign * h)
    if near is None or far is None:
        return math.nan, True
    return sign * (-3 * f0 + 4 * near[0] - far[0]) / (2 * h), True


def _branches(graph: Graph, value: list[float]) -> tuple[object, ...]:
    """Which piece every piecewise node takes (relu/abs: the sign; max/min: the winners)."""
    taken = []
    for i, op in enumerate(graph.ops):
        if op is not None and op.branch is not None:
            taken.append(op.branch(value[i], *(value[j] for j in graph.inputs[i])))
    return tuple(taken)
