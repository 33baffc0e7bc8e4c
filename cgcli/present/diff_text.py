"""``cgcli diff``'s text: the derivatives in cgcli's own language, shared parts as statements.

The statements (``t1 = …``) and the expressions parse back: each line
after ``∂f/∂x = `` is an expression of cgcli's grammar, and a derivative's
statements and expression together are a program (`program`).
"""

from __future__ import annotations

from ..modes.diff import Derivative, Derivatives, program_nodes
from .formula import Syntax, bindings, write
from .numbers import short

TEXT = Syntax()
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def label(result: Derivatives, d: Derivative) -> str:
    """∂f/∂x, ∂²f/∂x∂y, ∂²f/∂x², ∂³f/∂x³."""
    n = len(d.wrt)
    if n == 1:
        return f"∂{result.output}/∂{d.wrt[0]}"
    power = str(n).translate(_SUPERSCRIPT)
    if len(set(d.wrt)) == 1:
        return f"∂{power}{result.output}/∂{d.wrt[0]}{power}"
    return f"∂{power}{result.output}/" + "".join(f"∂{v}" for v in d.wrt)


def expression(result: Derivatives, d: Derivative) -> str:
    """The derivative's expression, shared parts by name."""
    return write(result.graph, d.node, TEXT, result.shared)


def statements(result: Derivatives, nodes: list[int] | None = None) -> list[str]:
    """``NAME = EXPR`` for the shared ``nodes`` (default: all), in order."""
    chosen = result.shared if nodes is None else nodes
    binding = bindings(result.graph, TEXT, result.shared)
    return [f"{result.shared[i]} = {write(result.graph, i, TEXT, result.shared, True, binding)}" for i in chosen]


def program(result: Derivatives, d: Derivative) -> str:
    """A complete cgcli program whose value is the derivative: its statements, then its expression."""
    lines = statements(result, program_nodes(result.graph, d.node, result.shared))
    last = expression(result, d)
    if lines and last.startswith("-"):  # a line that begins with an operator continues the one above
        last = f"({last})"
    return "\n".join([*lines, last])


def diff_text(result: Derivatives, digits: int = 6) -> str:
    """The statements, then ``∂f/∂x = EXPR`` a line (``= VALUE`` after it when a point was given)."""
    lines = statements(result)
    for d in result.all():
        line = f"{label(result, d)} = {expression(result, d)}"
        if d.value is not None:
            line += f" = {short(d.value, digits)}"
        lines.append(line)
    return "\n".join(lines)
