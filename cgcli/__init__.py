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

from __future__ import annotations

from importlib import import_module

# NOTE: not typing's TYPE_CHECKING: importing typing takes ~10 ms, and `cgcli.entry`
# (under this package) must install its Ctrl-C handler as early as it can
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"

# The API is imported on first use (PEP 562), so that `cgcli --version` or
# `cgcli grad --json` load only the modules they need.
_HOME = {
    "CheckReport": "modes.check",
    "check": "modes.check",
    "Result": "core.engine",
    "evaluate": "core.engine",
    "CgcliError": "errors",
    "DomainError": "errors",
    "EvaluationError": "errors",
    "ParseError": "errors",
    "UsageError": "errors",
    "fuse": "core.fuse",
    "Graph": "core.graph",
    "parse": "language.parser",
    "to_text": "language.printer",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module 'cgcli' has no attribute {name!r}")


if TYPE_CHECKING:  # what the lazy names are, for type checkers and readers
    from .core.engine import Result, evaluate
    from .core.fuse import fuse
    from .core.graph import Graph
    from .errors import CgcliError, DomainError, EvaluationError, ParseError, UsageError
    from .language.parser import parse
    from .language.printer import to_text
    from .modes.check import CheckReport, check

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
    "fuse",
    "parse",
    "to_text",
]
