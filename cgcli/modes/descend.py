"""Gradient descent on one graph: what the gradient is for.

Each step evaluates the graph at the current point (the engine's forward
and backward passes, the graph parsed once) and moves every trained
variable against its gradient, ``v ← v − lr·∂f/∂v``; the other variables are
data and stay where they are.  Step 0 is the starting point; step k the
point after k moves.  The run stops after ``steps`` moves, once both |Δf|
(against the step before) and the gradient's Euclidean norm fall below
``tol``, or where the value or the gradient stops being finite or a node
leaves its domain: then `Descent.error` says which step and node, and the
steps before it are kept.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..core.engine import LISTED, backward, check_point, forward, non_finite_warnings
from ..core.graph import Graph
from ..errors import DomainError, EvaluationError, UsageError, number_text

#: the defaults of the Python API and the command line alike
DEFAULT_LR = 0.1
DEFAULT_STEPS = 100
DEFAULT_TOL = 1e-8
#: every step is kept (for --json and the plot): at this many, a few hundred MB at most
MAX_STEPS = 1_000_000

#: why a run ended
CONVERGED, STEPS, NOT_FINITE, DOMAIN = "converged", "steps", "not finite", "domain error"


@dataclass
class Descent:
    """A run of gradient descent: every step's value, point and gradient.

    Attributes:
        graph: the graph descended.
        wrt: the trained variables, in order of first use.
        lr, tol: the learning rate and the tolerance.
        values: f at each step (step 0 is the start).
        points: each step's value of every variable, in ``graph.variables`` order.
        gradients: each step's ∂f/∂v for the ``wrt`` variables, in their order.
        stopped: why it ended: "converged", "steps", "not finite" or "domain error".
        error: for the last two, the message naming the step and the node.
    """

    graph: Graph
    wrt: list[str]
    lr: float
    tol: float
    values: list[float] = field(default_factory=list)
    points: list[tuple[float, ...]] = field(default_factory=list)
    gradients: list[tuple[float, ...]] = field(default_factory=list)
    stopped: str = STEPS
    error: str | None = None

    @property
    def converged(self) -> bool:
        return self.stopped == CONVERGED

    @property
    def last(self) -> int:
        """The number of the last (finite) step kept."""
        return len(self.values) - 1

    def point(self, k: int) -> dict[str, float]:
        """Every variable's value at step ``k``."""
        return dict(zip(self.graph.variables, self.points[k], strict=True))

    def gradient(self, k: int) -> dict[str, float]:
        """∂f/∂v at step ``k`` for each trained variable."""
        return dict(zip(self.wrt, self.gradients[k], strict=True))

    def norm(self, k: int) -> float:
        """The Euclidean norm of the gradient at step ``k`` (over the trained variables)."""
        return math.hypot(*self.gradients[k])


def descend(
    graph: Graph,
    point: Mapping[str, float],
    wrt: Sequence[str] | None = None,
    lr: float = DEFAULT_LR,
    steps: int = DEFAULT_STEPS,
    tol: float = DEFAULT_TOL,
) -> Descent:
    """Run gradient descent from ``point``.

    Args:
        graph: from `cgcli.parse`.
        point: a value for every variable of the graph: the start.
        wrt: the variables to train (default: all); the others stay fixed.
        lr: the learning rate, > 0.
        steps: at most this many moves (0: only evaluate the start).
        tol: stop once |Δf| and the gradient's norm are both below it (0: never).

    Returns:
        A `Descent`.  A run that stops being finite, or leaves a function's
        domain, after the start ends there with ``error`` set.

    Raises:
        UsageError: a bad option, a missing or unknown variable, an unknown ``wrt`` name.
        EvaluationError: the start itself is outside a domain or not finite.

    Example:
        >>> from cgcli import parse
        >>> from cgcli.modes.descend import descend
        >>> run = descend(parse("(x-3)^2"), {"x": 0}, lr=0.1, steps=2)
        >>> [round(p[0], 12) for p in run.points]
        [0.0, 0.6, 1.08]
    """
    check_point(graph, point)
    names = list(graph.variables)
    trained = _trained(names, wrt)
    if not (lr > 0 and math.isfinite(lr)):
        raise UsageError(f"the learning rate must be a finite number above 0, not {number_text(lr)}")
    if not (0 <= steps <= MAX_STEPS):
        raise UsageError(f"the number of steps must be from 0 to {MAX_STEPS:,}, not {steps}")
    if not (tol >= 0 and math.isfinite(tol)):
        raise UsageError(f"the tolerance must be a finite number from 0 up, not {number_text(tol)}")
    run = Descent(graph, trained, lr, tol)
    place = {name: j for j, name in enumerate(names)}
    at = [place[name] for name in trained]  # a trained variable's place in a point
    nodes = [graph.variables[name] for name in trained]
    current = [float(point[name]) for name in names]
    output = graph.output
    # NOTE: as in evaluate(): the passes make no cycles, and the collector would only rescan
    collecting = gc.isenabled()
    gc.disable()
    try:
        for k in range(steps + 1):
            at_k = dict(zip(names, current, strict=True))
            try:
                value, local = forward(graph, at_k)
            except DomainError as e:
                if k == 0:
                    raise
                run.stopped, run.error = DOMAIN, f"step {k}: {e}{_kept(k)}"
                break
            grad = backward(graph, local)
            f = value[output]
            g = tuple(grad[i] for i in nodes)
            if not (math.isfinite(f) and all(map(math.isfinite, g))):
                message = _not_finite(graph, k, f, dict(zip(trained, g, strict=True)), value, local)
                if k == 0:
                    raise EvaluationError(message)
                run.stopped, run.error = NOT_FINITE, message + _kept(k)
                break
            run.values.append(f)
            run.points.append(tuple(current))
            run.gradients.append(g)
            if k > 0 and abs(f - run.values[k - 1]) < tol and math.hypot(*g) < tol:
                run.stopped = CONVERGED
                break
            if k == steps:
                break
            for j, d in zip(at, g, strict=True):
                current[j] -= lr * d
    finally:
        if collecting:
            gc.enable()
    return run


def _trained(names: list[str], wrt: Sequence[str] | None) -> list[str]:
    """The ``wrt`` names in order of first use, checked against the graph's variables."""
    if not names:
        raise UsageError("the expression has no variables to descend along")
    if wrt is None:
        return names
    known = set(names)
    unknown = [name for name in wrt if name not in known]
    if unknown:
        raise UsageError(f"--wrt names {listed(unknown)}, which the expression does not use (it uses {listed(names)})")
    if not wrt:
        raise UsageError("--wrt names no variable")
    chosen = set(wrt)
    return [name for name in names if name in chosen]


def listed(names: list[str]) -> str:
    """Names for a message: the first LISTED of them, so that 100,000 stay one short line."""
    more = f" … and {len(names) - LISTED:,} more" if len(names) > LISTED else ""
    return ", ".join(names[:LISTED]) + more


def _not_finite(
    graph: Graph, k: int, f: float, g: dict[str, float], value: list[float], local: list[tuple[float, ...]]
) -> str:
    """Step k's value or gradient is inf or NaN: say which, and the node where it starts."""
    if not math.isfinite(f):
        # the engine's note names the node that overflowed, or made the first NaN
        where = non_finite_warnings(graph, value, [0.0] * len(graph))
        return f"step {k}: the value is {number_text(f)}" + (f" ({where[0]})" if where else "")
    out = graph.output_name
    bad = listed([f"∂{out}/∂{name} = {number_text(d)}" for name, d in g.items() if not math.isfinite(d)])
    # the backward pass runs from the output down: the highest node with a non-finite local gradient
    # is where the gradient first stops being finite (sqrt at 0, say)
    for i in range(len(graph) - 1, -1, -1):
        d = next((d for d in local[i] if not math.isfinite(d)), None)
        if d is not None and i not in graph.constant_ids:
            shown = ", ".join(number_text(value[j]) for j in graph.inputs[i])
            name = f"{graph.names[i]} = " if i in graph.names else ""
            at = f"{name}{graph.text(i)} (node {i}) has a local gradient of {number_text(d)} at {shown}"
            return f"step {k}: the gradient is not finite ({bad}): {at}"
    return f"step {k}: the gradient is not finite ({bad})"


def _kept(k: int) -> str:
    return f"; the run ends at step {k - 1}, the last one kept"
