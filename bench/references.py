"""The systems cgcli is measured against, each given the same validated graph.

- `floor`: straight-line Python generated from the graph (one assignment per
  node forward, one ``+=`` per edge backward): what hand-written code costs.
  Generated from the graph that `cgcli.parse` validated, never from the text.
- `lark_parse`: Lark's own LALR parse of the text, building its parse tree.
- `micrograd` and `torch`: when installed (``pip install -e '.[bench]'``).

Each returns seconds, or raises; the caller records the failure's name.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from cgcli.core.graph import Graph

# -- the straight-line floor -------------------------------------------------

# forward expression and backward statements per op key; {a} {b} are input values,
# {y} the node's value, {g} its upstream gradient, {ga} {gb} the inputs' gradients
_FORWARD = {
    "add": "{a} + {b}",
    "sub": "{a} - {b}",
    "mul": "{a} * {b}",
    "div": "{a} / {b}",
    "neg": "-{a}",
    "pow": "{a} ** {b}",
    "exp": "exp({a})",
    "log": "log({a})",
    "sqrt": "sqrt({a})",
    "sin": "sin({a})",
    "cos": "cos({a})",
    "tan": "tan({a})",
    "tanh": "tanh({a})",
    "sigmoid": "1.0 / (1.0 + exp(-{a}))",
    "relu": "{a} if {a} > 0 else 0.0",
    "abs": "abs({a})",
}
_BACKWARD = {
    "add": ["{ga} += {g}", "{gb} += {g}"],
    "sub": ["{ga} += {g}", "{gb} -= {g}"],
    "mul": ["{ga} += {g} * {b}", "{gb} += {g} * {a}"],
    "div": ["{ga} += {g} / {b}", "{gb} -= {g} * {y} / {b}"],
    "neg": ["{ga} -= {g}"],
    "pow": ["{ga} += {g} * {b} * {a} ** ({b} - 1)", "{gb} += {g} * {y} * log({a})"],
    "exp": ["{ga} += {g} * {y}"],
    "log": ["{ga} += {g} / {a}"],
    "sqrt": ["{ga} += {g} * 0.5 / {y}"],
    "sin": ["{ga} += {g} * cos({a})"],
    "cos": ["{ga} -= {g} * sin({a})"],
    "tan": ["{ga} += {g} / cos({a}) ** 2"],
    "tanh": ["{ga} += {g} * (1.0 - {y} * {y})"],
    "sigmoid": ["{ga} += {g} * {y} * (1.0 - {y})"],
    "relu": ["{ga} += {g} if {a} > 0 else 0.0"],
    "abs": ["{ga} += {g} if {a} > 0 else (-{g} if {a} < 0 else 0.0)"],
}


def floor_source(graph: Graph) -> str:
    """Straight-line Python for the forward and backward pass of ``graph``."""
    params = ", ".join(graph.variables)
    lines = [f"def f({params}):"]
    for name, i in graph.variables.items():
        lines.append(f"    v{i} = {name}")
    for i, c in graph.constants.items():
        lines.append(f"    v{i} = {c!r}")
    live = [i for i in range(len(graph)) if i not in graph.constant_ids]
    for i, op in enumerate(graph.ops):
        if op is None:
            continue
        if op.key not in _FORWARD:
            raise NotImplementedError(f"no straight-line form for {op.key}")
        ins = graph.inputs[i]
        a, b = f"v{ins[0]}", f"v{ins[1]}" if len(ins) == 2 else ""
        lines.append(f"    v{i} = " + _FORWARD[op.key].format(a=a, b=b))
    for i in live:
        lines.append(f"    g{i} = 0.0")
    lines.append(f"    g{graph.output} = 1.0")
    for i in reversed(live):
        op = graph.ops[i]
        if op is None:
            continue
        ins = graph.inputs[i]
        a = f"v{ins[0]}"
        b = f"v{ins[1]}" if len(ins) == 2 else ""
        for k, template in enumerate(_BACKWARD[op.key]):
            if ins[k] in graph.constant_ids:
                continue
            ga = f"g{ins[k]}"
            lines.append("    " + template.format(a=a, b=b, y=f"v{i}", g=f"g{i}", ga=ga, gb=ga))
    grads = ", ".join(f"g{i}" for i in graph.variables.values())
    lines.append(f"    return v{graph.output}, ({grads},)")
    return "\n".join(lines) + "\n"


def floor(graph: Graph, point: dict[str, float]) -> tuple[float, Callable[[], Any]]:
    """(compile seconds, a call running the generated forward and backward pass)."""
    start = time.perf_counter()
    namespace: dict[str, Any] = {
        name: getattr(math, name) for name in ("exp", "log", "sqrt", "sin", "cos", "tan", "tanh")
    }
    exec(compile(floor_source(graph), "<floor>", "exec"), namespace)  # generated from the graph, not user text
    compiled = time.perf_counter() - start
    f = namespace["f"]
    args = [point[name] for name in graph.variables]
    return compiled, lambda: f(*args)


# -- Lark's own parse ----------------------------------------------------------

_lark: Any = None


def lark_parser() -> Any:
    """Lark's LALR parser for the grammar, no transformer: it builds its parse tree."""
    global _lark
    if _lark is None:
        from lark import Lark

        from cgcli.language.parser import grammar_text

        _lark = Lark(grammar_text(), parser="lalr")
    return _lark


# -- micrograd -----------------------------------------------------------------


def micrograd_available() -> bool:
    try:
        import micrograd.engine  # noqa: F401
    except ImportError:
        return False
    return True


def _micrograd_unary(value: Any, f: Callable[[float], float], df: Callable[[float, float], float], name: str) -> Any:
    """A unary op written micrograd's way (micrograd 0.1.0 has only + * ** relu)."""
    from micrograd.engine import Value

    out = Value(f(value.data), (value,), name)

    def _backward() -> None:
        value.grad += df(value.data, out.data) * out.grad

    out._backward = _backward
    return out


def _sigmoid(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a))


_MICROGRAD_UNARY: dict[str, tuple[Callable[[float], float], Callable[[float, float], float]]] = {
    "exp": (math.exp, lambda a, y: y),
    "log": (math.log, lambda a, y: 1.0 / a),
    "sin": (math.sin, lambda a, y: math.cos(a)),
    "cos": (math.cos, lambda a, y: -math.sin(a)),
    "tanh": (math.tanh, lambda a, y: 1.0 - y * y),
    "sigmoid": (_sigmoid, lambda a, y: y * (1.0 - y)),
    "abs": (abs, lambda a, y: 1.0 if a > 0 else (-1.0 if a < 0 else 0.0)),
}


def micrograd_run(graph: Graph, point: dict[str, float]) -> tuple[float, float]:
    """(forward seconds, backward seconds) with micrograd's Value."""
    from micrograd.engine import Value

    start = time.perf_counter()
    nodes: list[Any] = [None] * len(graph)
    for i, c in graph.constants.items():
        nodes[i] = Value(c)
    for name, i in graph.variables.items():
        nodes[i] = Value(point[name])
    for i, op in enumerate(graph.ops):
        if op is None:
            continue
        args = [nodes[j] for j in graph.inputs[i]]
        key = op.key
        if key == "add":
            nodes[i] = args[0] + args[1]
        elif key == "sub":
            nodes[i] = args[0] - args[1]
        elif key == "mul":
            nodes[i] = args[0] * args[1]
        elif key == "div":
            nodes[i] = args[0] / args[1]
        elif key == "neg":
            nodes[i] = -args[0]
        elif key == "pow" and graph.inputs[i][1] in graph.constants:
            nodes[i] = args[0] ** graph.constants[graph.inputs[i][1]]
        elif key == "relu":
            nodes[i] = args[0].relu()
        elif key in _MICROGRAD_UNARY:
            nodes[i] = _micrograd_unary(args[0], *_MICROGRAD_UNARY[key], key)
        else:
            raise NotImplementedError(f"micrograd has no {key}")
    middle = time.perf_counter()
    nodes[graph.output].backward()
    return middle - start, time.perf_counter() - middle


# -- torch ---------------------------------------------------------------------


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def torch_run(graph: Graph, point: dict[str, float]) -> tuple[float, float]:
    """(forward seconds, backward seconds) with torch autograd on float64 scalars, one thread."""
    import torch

    torch.set_num_threads(1)
    functions = {
        "exp": torch.exp,
        "log": torch.log,
        "sqrt": torch.sqrt,
        "sin": torch.sin,
        "cos": torch.cos,
        "tan": torch.tan,
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "relu": torch.relu,
        "abs": torch.abs,
        "neg": torch.neg,
        "add": torch.add,
        "sub": torch.sub,
        "mul": torch.mul,
        "div": torch.div,
        "pow": torch.pow,
    }
    start = time.perf_counter()
    nodes: list[Any] = [None] * len(graph)
    for i, c in graph.constants.items():
        nodes[i] = torch.tensor(c, dtype=torch.float64)
    leaves = []
    for name, i in graph.variables.items():
        nodes[i] = torch.tensor(point[name], dtype=torch.float64, requires_grad=True)
        leaves.append(nodes[i])
    for i, op in enumerate(graph.ops):
        if op is None:
            continue
        if op.key not in functions:
            raise NotImplementedError(f"no torch function for {op.key}")
        nodes[i] = functions[op.key](*(nodes[j] for j in graph.inputs[i]))
    middle = time.perf_counter()
    nodes[graph.output].backward()
    return middle - start, time.perf_counter() - middle
