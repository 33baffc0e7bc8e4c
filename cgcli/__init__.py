"""cgcli: backpropagation through an expression's computational graph.

It lets you parse an expression into a graph of gates, run the forward pass
(values and local gradients) and the backward pass (global gradients by the
chain rule), and read every number on the way.

Example:
    >>> import cgcli
    >>> graph = cgcli.parse("(x+y)*z")
    >>> result = cgcli.evaluate(graph, {"x": -2, "y": 5, "z": -4})
    >>> result.output, result.gradient
    (-12.0, {'x': -4.0, 'y': -4.0, 'z': 3.0})
"""

from .check import CheckReport, check
from .engine import Result, evaluate
from .errors import CgcliError, DomainError, EvaluationError, ParseError, UsageError
from .graph import Graph
from .parser import parse
from .printer import to_text

__version__ = "0.1.0"

__all__ = [
    "CgcliError",
    "CheckReport",
    "DomainError",
    "EvaluationError",
    "Graph",
    "ParseError",
    "Result",
    "UsageError",
    "__version__",
    "check",
    "evaluate",
    "parse",
    "to_text",
]
