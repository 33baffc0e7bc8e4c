"""``cgcli diff --format python``: a Python function returning f's value and its derivatives.

The code is written from the validated graph only, never from the user's
text: names are the grammar's identifiers (renamed where they would clash
with a Python keyword or with the names the code itself uses), numbers are
written with ``repr`` of their values, and every function is one of a fixed
table.  It imports only `math`; sigmoid, relu, step, sign and softplus are
small helpers defined inside the function, written as cgcli computes them.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping

from ..core.graph import Graph
from ..evaluators.symbolic import compact
from ..modes.diff import Derivatives, shared_names
from .formula import Piece, Syntax, write

#: cgcli function -> Python expression head
_CALLS = {
    "exp": "math.exp",
    "log": "math.log",
    "ln": "math.log",
    "log2": "math.log2",
    "log10": "math.log10",
    "sqrt": "math.sqrt",
    "sin": "math.sin",
    "cos": "math.cos",
    "tan": "math.tan",
    "tanh": "math.tanh",
    "sinh": "math.sinh",
    "cosh": "math.cosh",
    "asin": "math.asin",
    "acos": "math.acos",
    "atan": "math.atan",
    "abs": "abs",
    "max": "max",
    "min": "min",
    "pow_var": "math.pow",
}
#: helpers, each defined inside the function when used
_HELPERS = {
    "sigmoid": (
        "def sigmoid(a):",
        "    if a >= 0:",
        "        return 1.0 / (1.0 + math.exp(-a))",
        "    z = math.exp(a)",
        "    return z / (1.0 + z)",
    ),
    "relu": ("def relu(a):", "    return a if a > 0 else 0.0"),
    "step": ("def step(a):", "    return 1.0 if a > 0 else 0.0"),
    "sign": ("def sign(a):", "    return 1.0 if a > 0 else -1.0 if a < 0 else 0.0"),
    "softplus": ("def softplus(a):", "    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))"),
}
#: names the generated code uses itself; a variable with one of them is renamed
_RESERVED = {"math", "abs", "max", "min", "value", "derivatives", "hessian", *_HELPERS}
#: Python's parser limits how deeply an expression nests: deeper parts get a name of their own
MAX_NESTING = 40


class PythonSyntax(Syntax):
    power = " ** "

    def __init__(self, variables: Mapping[str, str]) -> None:
        self.variables = variables

    def leaf(self, graph: Graph, i: int) -> str:
        if i in graph.constants:
            text = graph.leaf_text[i]
            return {"pi": "math.pi", "e": "math.e"}.get(text) or repr(graph.constants[i])
        return self.variables[graph.leaf_text[i]]

    def call(self, graph: Graph, i: int) -> str:
        op = graph.ops[i]
        assert op is not None
        return _CALLS.get(op.key, op.key)

    def pieces(self, graph: Graph, i: int, binding: Mapping[int, int]) -> list[Piece]:
        op = graph.ops[i]
        assert op is not None
        a_b = graph.inputs[i]
        # ** with an integer constant exponent reads best and is real; any other power is math.pow,
        # which raises ValueError (grad's domain error) where ** would return a complex number
        integral = op.key == "pow" and float(graph.constants.get(a_b[1], 0.5)).is_integer()
        if op.key in ("pow", "pow_var") and not integral:
            return ["math.pow(", a_b[0], ", ", a_b[1], ")"]
        if op.key in ("max", "min") and len(graph.inputs[i]) == 1:  # Python's max(x) wants an iterable
            return ["(", graph.inputs[i][0], ")"]
        return super().pieces(graph, i, binding)


def python_names(names: list[str], taken: set[str]) -> dict[str, str]:
    """Each variable's Python name: itself, or with ``_`` appended until it is free."""
    out: dict[str, str] = {}
    used = set(taken)
    for name in names:
        new = name
        while keyword.iskeyword(new) or new in _RESERVED or new in used:
            new += "_"
        used.add(new)
        out[name] = new
    return out


def diff_python(result: Derivatives) -> str:
    """``import math`` and one ``def``: f's value, then the derivatives (a dict; the Hessian a dict of dicts)."""
    variables = python_names(list(result.graph.variables), set())
    roots = [result.function, *(d.node for d in result.all())]
    if result.hessian is not None:
        roots += [d.node for d in result.derivatives.values()]
    graph, renamed = compact(result.graph, roots, result.graph.variables)
    new = [renamed[r] for r in roots]
    named = {renamed[i]: name for i, name in result.named.items() if renamed[i] >= 0}
    names = shared_names(graph, new, set(variables.values()) | _RESERVED, python_named(named, variables))
    _name_deep(graph, names, set(variables.values()) | _RESERVED)
    syntax = PythonSyntax(variables)
    used = {op.key for op in graph.ops if op is not None}
    function = python_names([result.output], set(variables.values()))[result.output]
    lines = ["import math", "", "", f"def {function}({', '.join(variables.values())}):"]
    what = "the gradient" if result.order == 1 and result.hessian is None else "the derivatives"
    lines.append(f'    """Return {result.output} and {what}; written by cgcli diff."""')
    for key in sorted(used & set(_HELPERS)):
        lines += ["    " + line for line in _HELPERS[key]]
    for i in sorted(names):
        lines.append(f"    {names[i]} = {write(graph, i, syntax, names, expand=True)}")

    def entries(items: Mapping[str, int], indent: str) -> list[str]:
        return [f"{indent}{name!r}: {write(graph, node, syntax, names)}," for name, node in items.items()]

    lines.append("    value = " + write(graph, renamed[result.function], syntax, names))
    lines.append("    derivatives = {")
    lines += entries({v: renamed[d.node] for v, d in result.derivatives.items()}, "        ")
    lines.append("    }")
    if result.hessian is not None:
        lines.append("    hessian = {")
        for u, row in result.hessian.items():
            lines.append(f"        {u!r}: {{")
            lines += entries({v: renamed[d.node] for v, d in row.items()}, "            ")
            lines.append("        },")
        lines.append("    }")
        lines.append("    return value, derivatives, hessian")
    else:
        lines.append("    return value, derivatives")
    return "\n".join(lines)


def python_named(named: Mapping[int, str], variables: Mapping[str, str]) -> dict[int, str]:
    """The program's names, renamed where they would clash in Python (as the variables are)."""
    taken = set(variables.values())
    renamed = python_names(list(named.values()), taken)
    return {i: renamed[name] for i, name in named.items()}


def _name_deep(graph: Graph, names: dict[int, str], taken: set[str]) -> None:
    """Name the nodes where an expression would nest deeper than MAX_NESTING (one pass, in order)."""
    depth = [0] * len(graph)
    k = len(names)
    taken = taken | set(names.values())
    for i, op in enumerate(graph.ops):
        if op is None:
            continue
        d = 1 + max((0 if j in names else depth[j]) for j in graph.inputs[i])
        if d > MAX_NESTING and i not in names:
            k += 1
            while f"t{k}" in taken:
                k += 1
            names[i] = f"t{k}"
            taken.add(names[i])
            d = 0
        depth[i] = d
