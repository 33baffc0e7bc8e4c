"""Property-based tests over the whole grammar (hypothesis).

* print → parse: a random expression tree, printed with random spacing and
  redundant parentheses, parses to the same graph as cgcli's own printing of it;
* gradients: at random points inside every domain, the analytic gradient
  equals a 50-digit numeric derivative (mpmath) of the same tree;
* robustness: random strings and token soups never crash cgcli: the exit code
  is 0, 2 or 3, and on an error stdout is empty and stderr has no traceback.

The trees here are a few levels deep, so the helpers may recurse; cgcli itself never does.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import sys
from typing import Any

import mpmath as mp
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import cgcli
from cgcli.cli import main
from cgcli.core.ops import FUNCTIONS, VARIADIC

VARIABLES = ["x", "y", "w0", "x_1"]
NUMBERS = ["2", "0.5", ".25", "3", "1e-1", "2.5E+0", "pi", "e"]
BINARY = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "^"}
UNARY_FUNCTIONS = sorted(name for name, op in FUNCTIONS.items() if op.arity == 1)

Tree = Any  # ("var", name) | ("num", text) | (op, *children)

leaves = st.one_of(
    st.sampled_from(VARIABLES).map(lambda v: ("var", v)), st.sampled_from(NUMBERS).map(lambda n: ("num", n))
)


def extend(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    return st.one_of(
        st.tuples(st.sampled_from(sorted(BINARY)), children, children),
        st.tuples(st.just("neg"), children),
        st.tuples(st.sampled_from(UNARY_FUNCTIONS), children),
        st.tuples(st.sampled_from(["max", "min"]), children, children, children),
        st.tuples(st.just("pow()"), children, children),
    )


trees = st.recursive(leaves, extend, max_leaves=12)


def spaced(draw: st.DrawFn, text: str) -> str:
    return draw(st.sampled_from(["", " ", "  ", "\t", "\n"])) + text + draw(st.sampled_from(["", " ", "\n "]))


@st.composite
def printed(draw: st.DrawFn, tree: Tree) -> str:
    """The tree as text: fully parenthesised, randomly spaced, sometimes doubly parenthesised."""
    kind, *rest = tree
    if kind in ("var", "num"):
        text = rest[0]
    elif kind in BINARY:
        op = BINARY[kind] if kind != "pow" else draw(st.sampled_from(["^", "**"]))
        text = f"({draw(printed(rest[0]))}){spaced(draw, op)}({draw(printed(rest[1]))})"
    elif kind == "neg":
        text = f"-({draw(printed(rest[0]))})"
    else:
        name = "pow" if kind == "pow()" else kind
        text = f"{name}(" + ",".join(spaced(draw, draw(printed(child))) for child in rest) + ")"
    if draw(st.booleans()):
        text = f"({spaced(draw, text)})"
    return spaced(draw, text)


def signature(graph: cgcli.Graph) -> list[tuple[Any, ...]]:
    """The graph's structure, node by node: what two graphs must share to be the same."""
    return [
        (
            graph.op_name(i),
            graph.inputs[i],
            graph.constants.get(i),
            graph.leaf_text[i] if i in graph.variables.values() else None,
        )
        for i in range(len(graph))
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_print_then_parse_gives_the_same_graph(data: st.DataObject) -> None:
    tree = data.draw(trees)
    text = data.draw(printed(tree))
    graph = cgcli.parse(text)
    again = cgcli.parse(cgcli.to_text(graph))
    assert signature(again) == signature(graph)
    assert cgcli.to_text(again) == cgcli.to_text(graph)


# -- gradients against a 50-digit reference -----------------------------------

MP = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: mp.power(a, b),
    "pow()": lambda a, b: mp.power(a, b),
    "neg": lambda a: -a,
    "exp": mp.exp,
    "log": mp.log,
    "sqrt": mp.sqrt,
    "sin": mp.sin,
    "cos": mp.cos,
    "tan": mp.tan,
    "tanh": mp.tanh,
    "sigmoid": lambda a: 1 / (1 + mp.exp(-a)),
    "ln": mp.log,
    "log2": lambda a: mp.log(a, 2),
    "log10": mp.log10,
    "sinh": mp.sinh,
    "cosh": mp.cosh,
    "asin": mp.asin,
    "acos": mp.acos,
    "atan": mp.atan,
    "softplus": lambda a: mp.log1p(mp.exp(a)),
    "sign": mp.sign,
    "step": lambda a: mp.mpf(1 if a > 0 else 0),
    "relu": lambda a: a if a > 0 else mp.mpf(0),
    "abs": abs,
    "max": lambda *a: max(a),
    "min": lambda *a: min(a),
}


def test_the_reference_knows_every_function() -> None:
    assert {name for name, op in FUNCTIONS.items()} | set(BINARY) | {"neg"} <= set(MP) | {"pow"}
    assert all(op.arity in (1, 2, VARIADIC) for op in FUNCTIONS.values())


def reference(tree: Tree, point: dict[str, mp.mpf]) -> mp.mpf:
    kind, *rest = tree
    if kind == "var":
        return point[rest[0]]
    if kind == "num":
        # the doubles cgcli uses: with 50-digit pi, sin(pi) is 0 and sin(pi)/x has no finite reference
        return {"pi": mp.mpf(math.pi), "e": mp.mpf(math.e)}.get(rest[0]) or mp.mpf(rest[0])
    value = MP[kind](*(reference(child, point) for child in rest))
    if isinstance(value, mp.mpc) or not mp.isfinite(value):
        raise ArithmeticError("outside the real domain")
    return value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(trees, st.lists(st.floats(-3, 3).map(lambda v: round(v, 3)), min_size=4, max_size=4))
def test_gradients_equal_a_high_precision_numeric_derivative(tree: Tree, values: list[float]) -> None:
    mp.mp.dps = 50
    graph = cgcli.parse(cgcli.to_text(cgcli.parse(_plain(tree))))
    point = {name: values[VARIABLES.index(name)] for name in graph.variables}
    try:
        result = cgcli.evaluate(graph, point)
        exact = {name: mp.mpf(v) for name, v in point.items()}
        f0 = reference(tree, exact)
    except (cgcli.DomainError, ArithmeticError, ZeroDivisionError, ValueError):
        assume(False)
    assume(abs(f0) < 1e12)
    # at a singular point (sqrt'(0) = inf, say) the chain rule can give 0·inf: not a smooth point
    assume(all(math.isfinite(d) for local in result.local for d in local))
    # nor at a kink: relu/abs at 0, or a tie in max/min
    assume(len({v for v in values}) == len(values))
    for i, op in enumerate(graph.ops):
        # sin/cos/tan of a huge argument: its rounding (ulp · |arg|) moves the result by more than 1e-7
        if op is not None and op.name in ("sin", "cos", "tan"):
            assume(abs(result.value[graph.inputs[i][0]]) < 1e4)
        if op is not None and op.branch is not None:
            args = [result.value[j] for j in graph.inputs[i]]
            # relu, abs, sign, step: away from 0; max, min: away from ties
            assume(all(a != 0 for a in args) if op.arity == 1 else len(set(args)) == len(args))
    for name in graph.variables:

        def along(t: mp.mpf, name: str = name) -> mp.mpf:
            return reference(tree, {**exact, name: t})

        try:
            slope = mp.diff(along, exact[name])
        except (ArithmeticError, ZeroDivisionError, ValueError):
            assume(False)
        got = result.gradient[name]
        # cancellation inside the expression costs digits; 1e-7 leaves room for it
        assert abs(mp.mpf(got) - slope) <= 1e-7 * max(abs(slope), 1), (cgcli.to_text(graph), name, got, slope)


def _plain(tree: Tree) -> str:
    """The tree as plain fully parenthesised text."""
    kind, *rest = tree
    if kind in ("var", "num"):
        return rest[0]
    if kind in BINARY:
        return f"({_plain(rest[0])}){BINARY[kind]}({_plain(rest[1])})"
    if kind == "neg":
        return f"-({_plain(rest[0])})"
    name = "pow" if kind == "pow()" else kind
    return f"{name}(" + ",".join(_plain(child) for child in rest) + ")"


# -- nothing typed crashes cgcli ---------------------------------------------

TOKENS = ["x", "y", "2", ".5", "1e3", "+", "-", "*", "/", "^", "**", "(", ")", ",", " ", "exp", "log", "max", "sqrt"]
TOKENS += ["sin", "pi", "e", "1e999", "−", "×", "²", "√", ";", "`", "'", "__import__", "=", "\n", "\t", "@", "#", "$"]


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    stdin, sys.stdin = sys.stdin, io.StringIO("x + ")  # "-" reads the expression from here
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        sys.stdin = stdin
    return code, out.getvalue(), err.getvalue()


def assert_clean(code: int, out: str, err: str) -> None:
    assert code in (0, 2, 3), (code, err)
    assert "Traceback" not in err and "internal error" not in err
    if code != 0:
        assert out == ""
        assert err.startswith("cgcli: error: ")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=25).map("".join), st.sampled_from(["grad", "check", "graph"]))
def test_token_soup_never_crashes(text: str, command: str) -> None:
    names = sorted(set(re.findall(r"[A-Za-z_]\w*", text)) - set(FUNCTIONS) - {"pi", "e"})
    args = [f"--var={name}=0.5" for name in names]
    assert_clean(*run([command, *args, "--json", "--", text]))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.lists(st.text(max_size=8), max_size=3))
def test_random_text_and_arguments_never_crash(text: str, extra: list[str]) -> None:
    assume("\x00" not in text and not any("\x00" in a for a in extra))
    assert_clean(*run(["grad", text, *extra]))


@pytest.mark.parametrize(
    "text", ["__import__('os').system('x')", "`rm -rf /`", "x; y", "exec('1')", "lambda: 1", "x.real", "x[0]"]
)
def test_code_is_a_parse_error_not_evaluated(text: str) -> None:
    code, out, err = run(["grad", "--", text, "x=1"])
    assert code == 2 and out == "" and "at column" in err
