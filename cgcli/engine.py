"""Forward and backward passes over a `Graph`: the chain rule, nothing else.

The forward pass computes every node's value and, on the way, its local
gradients (∂node/∂input), from the op table.  The backward pass starts from
1 at the output and walks the nodes in reverse topological order, adding
upstream × local into each input's global gradient, so a forked value sums
the gradients of its uses.  Both are single loops, O(nodes + edges).

This module imports nothing that draws or prints: presenters read `Result`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import DomainError, UsageError
from .graph import Graph


@dataclass
class Result:
    """A graph evaluated at one point.

    Attributes:
        graph: the graph.
        value: every node's value, by id.
        local: every node's local gradients, one per input, by id.
        grad: every node's global gradient ∂output/∂node, by id.
        warnings: overflow and NaN notes, one sentence each.
    """

    graph: Graph
    value: list[float]
    local: list[tuple[float, ...]]
    grad: list[float]
    warnings: list[str] = field(default_factory=list)

    @property
    def output(self) -> float:
        """The value of the expression."""
        return self.value[self.graph.output]

    @property
    def gradient(self) -> dict[str, float]:
        """∂output/∂variable for every variable, in order of first use."""
        return {name: self.grad[i] for name, i in self.graph.variables.items()}


def check_point(graph: Graph, point: Mapping[str, float]) -> None:
    """Raise UsageError unless ``point`` gives exactly the graph's variables."""
    missing = [name for name in graph.variables if name not in point]
    if missing:
        flags = " ".join(f"--{_name(name)}=VALUE" for name in missing[:LISTED])
        raise UsageError(f"missing value for {_names(missing)}: add {flags}{_more(missing)}")
    unknown = [name for name in point if name not in graph.variables]
    if unknown:
        uses = _names(list(graph.variables)) if graph.variables else "no variables"
        raise UsageError(f"the expression does not use {_names(unknown)} (it uses {uses})")


#: at most this many names in one message, so that 100,000 of them stay one line
LISTED = 10


def _names(names: list[str]) -> str:
    return ", ".join(map(_name, names[:LISTED])) + _more(names)


def _name(name: str) -> str:
    """A name as a message shows it: a 200,000-character one is cut short."""
    return name if len(name) <= 40 else f"{name[:10]}… (a name of {len(name):,} characters)"


def _more(names: list[str]) -> str:
    return f" … and {len(names) - LISTED:,} more" if len(names) > LISTED else ""


def forward(graph: Graph, point: Mapping[str, float]) -> tuple[list[float], list[tuple[float, ...]]]:
    """Every node's value and local gradients at ``point``.

    Raises:
        DomainError: a node's inputs lie outside its op's domain.
    """
    n = len(graph)
    value = [0.0] * n
    local: list[tuple[float, ...]] = [()] * n
    for i, c in graph.constants.items():
        value[i] = c
    for name, i in graph.variables.items():
        value[i] = float(point[name])
    ops, inputs = graph.ops, graph.inputs
    for i in range(n):
        op = ops[i]
        if op is None:
            continue
        args = [value[j] for j in inputs[i]]
        if op.domain is not None and not op.domain(*args):
            raise DomainError(i, graph.text(i), op.name, tuple(args), op.needs)
        y = value[i] = op.forward(*args)
        local[i] = op.local(y, *args)
    return value, local


def backward(graph: Graph, local: list[tuple[float, ...]]) -> list[float]:
    """Every node's global gradient, given the local ones."""
    grad = [0.0] * len(graph)
    grad[graph.output] = 1.0
    inputs = graph.inputs
    for i in range(len(graph) - 1, -1, -1):
        upstream = grad[i]
        # chain rule: each input receives upstream × local; forks add up
        for j, d in zip(inputs[i], local[i], strict=True):
            grad[j] += upstream * d
    return grad


def evaluate(graph: Graph, point: Mapping[str, float]) -> Result:
    """Run the forward and the backward pass at ``point``.

    Args:
        graph: from `cgcli.parse`.
        point: a value for every variable of the graph.

    Returns:
        A `Result` with every node's value, local and global gradient.

    Raises:
        UsageError: a variable is missing, or not used by the expression.
        DomainError: the point lies outside a function's domain.

    Example:
        >>> from cgcli import parse, evaluate
        >>> r = evaluate(parse("(x+y)*z"), {"x": -2, "y": 5, "z": -4})
        >>> r.output, r.gradient
        (-12.0, {'x': -4.0, 'y': -4.0, 'z': 3.0})
    """
    check_point(graph, point)
    value, local = forward(graph, point)
    grad = backward(graph, local)
    return Result(graph, value, local, grad, non_finite_warnings(graph, value, grad))


def non_finite_warnings(graph: Graph, value: list[float], grad: list[float]) -> list[str]:
    """Name the nodes where an inf or a NaN first appears, in values or gradients."""
    notes: list[str] = []
    # sum() is a cheap test that every number is finite; scan only when not
    if not math.isfinite(sum(value)):
        for i, v in enumerate(value):
            if math.isfinite(v) or not all(math.isfinite(value[j]) for j in graph.inputs[i]):
                continue
            if graph.ops[i] is None:
                continue
            kind = "overflow" if math.isinf(v) else "NaN"
            shown = ", ".join(repr(value[j]) for j in graph.inputs[i])
            notes.append(f"{kind}: {graph.text(i)} (node {i}) is {v} for inputs {shown}")
    if not math.isfinite(sum(grad)) and not notes:
        bad = [name for name, i in graph.variables.items() if not math.isfinite(grad[i])]
        if bad:
            notes.append(f"the gradient is not finite for {_names(bad)}")
    return notes
