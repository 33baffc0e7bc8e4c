"""``cgcli diff --format latex``: the derivatives as LaTeX, one equation a line.

Each line is math-mode LaTeX without delimiters (put it inside ``$…$`` or
an ``align`` environment): ``\\frac{\\partial f}{\\partial x} = …``, with
``\\cdot`` for products, ``\\frac`` for quotients, ``e^{…}``, ``\\sqrt{…}``
and ``\\sigma`` for the sigmoid.  Only the graph reaches the page: names are
identifiers of the grammar, numbers are written from their values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..core.graph import Graph
from ..core.ops import ATOM, POWER, SUM, UNARY
from ..modes.diff import Derivative, Derivatives
from .formula import Piece, Syntax, write
from .numbers import short

#: functions LaTeX knows by name (\sin), and the others, written upright
_NAMED = {"sin", "cos", "tan", "tanh", "sinh", "cosh", "exp", "max", "min"}
_SPECIAL = {
    "log": r"\ln",
    "ln": r"\ln",
    "log2": r"\log_{2}",
    "log10": r"\log_{10}",
    "asin": r"\arcsin",
    "acos": r"\arccos",
    "atan": r"\arctan",
    "sigmoid": r"\sigma",
    "sign": r"\operatorname{sign}",
}
_GREEK = set(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi rho sigma tau phi chi psi omega".split()
)
_INDEXED = re.compile(r"([A-Za-z]+)_?(\d+)\Z")
#: a frac, e^{…} or \sqrt{…}: no parentheses around them, except as the base of a power
_BLOCK = ATOM - 0.5


def latex_name(name: str) -> str:
    """w0 -> w_{0}, x_1 -> x_{1}, alpha -> \\alpha, rate -> \\mathit{rate}, t1 -> t_{1}."""
    match = _INDEXED.match(name)
    if match:
        stem, index = match.groups()
        return f"{latex_name(stem)}_{{{index}}}"
    if len(name) == 1:
        return name
    if name in _GREEK:
        return "\\" + name
    return r"\mathit{" + name.replace("_", r"\_") + "}"


class LatexSyntax(Syntax):
    def leaf(self, graph: Graph, i: int) -> str:
        if i in graph.constants:
            text = graph.leaf_text[i]
            if text == "pi":
                return r"\pi"
            if "e" in text and text != "e":  # 1e-07 -> 1 \cdot 10^{-7}
                mantissa, exponent = text.split("e")
                return f"{mantissa} \\cdot 10^{{{int(exponent)}}}"
            return text
        return latex_name(graph.leaf_text[i])

    def name(self, name: str) -> str:
        return latex_name(name)

    def precedence(self, graph: Graph, i: int) -> float:  # type: ignore[override]
        op = graph.ops[i]
        if op is None:
            return graph.precedence(i)
        if op.key in ("div", "exp", "sqrt", "abs"):
            return _BLOCK
        return op.precedence

    def pieces(self, graph: Graph, i: int, binding: Mapping[int, float]) -> list[Piece]:
        op = graph.ops[i]
        assert op is not None
        inputs = graph.inputs[i]
        key = op.key

        def group(j: int, loose: float) -> list[Piece]:
            return [r"\left(", j, r"\right)"] if binding[j] <= loose else [j]

        if key in ("add", "sub"):
            a, b = inputs
            return [a, f" {op.symbol} ", *group(b, SUM if key == "sub" else 0)]
        if key == "mul":
            a, b = inputs
            return [*group(a, SUM), r" \cdot ", *group(b, UNARY)]
        if key == "div":
            return [r"\frac{", inputs[0], "}{", inputs[1], "}"]
        if key == "neg":
            return ["-", *group(inputs[0], SUM)]
        if key in ("pow", "pow_var"):
            a, b = inputs
            return [*group(a, POWER if graph.ops[a] is None or binding[a] == ATOM else ATOM), "^{", b, "}"]
        if key == "exp":
            return ["e^{", inputs[0], "}"]
        if key == "sqrt":
            return [r"\sqrt{", inputs[0], "}"]
        if key == "abs":
            return [r"\left|", inputs[0], r"\right|"]
        name = "\\" + key if key in _NAMED else _SPECIAL.get(key, r"\mathrm{" + key + "}")
        out: list[Piece] = [name + r"\left("]
        for k, j in enumerate(inputs):
            out += [", ", j] if k else [j]
        return [*out, r"\right)"]


LATEX = LatexSyntax()


def label(result: Derivatives, d: Derivative) -> str:
    r"""The left side: \frac{\partial f}{\partial x}, \frac{\partial^{2} f}{\partial x \partial y}, …"""
    f = latex_name(result.output)
    n = len(d.wrt)
    if n == 1:
        return rf"\frac{{\partial {f}}}{{\partial {latex_name(d.wrt[0])}}}"
    if len(set(d.wrt)) == 1:
        return rf"\frac{{\partial^{{{n}}} {f}}}{{\partial {latex_name(d.wrt[0])}^{{{n}}}}}"
    below = " ".join(rf"\partial {latex_name(v)}" for v in d.wrt)
    return rf"\frac{{\partial^{{{n}}} {f}}}{{{below}}}"


def diff_latex(result: Derivatives, digits: int = 6) -> str:
    """One line a statement and a derivative (``= VALUE`` after it when a point was given)."""
    lines = [
        f"{latex_name(name)} = {write(result.graph, i, LATEX, result.shared, expand=True)}"
        for i, name in result.shared.items()
    ]
    for d in result.all():
        line = f"{label(result, d)} = {write(result.graph, d.node, LATEX, result.shared)}"
        if d.value is not None:
            line += f" = {short(d.value, digits)}"
        lines.append(line)
    return "\n".join(lines)
