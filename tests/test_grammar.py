"""The expression language of SPEC.md: numbers, names, precedence, functions, forks."""

from __future__ import annotations

import math

import pytest

import cgcli
from cgcli.core.ops import FUNCTIONS, VARIADIC


def value(text: str, **point: float) -> float:
    return cgcli.evaluate(cgcli.parse(text), point).output


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2", 2.0),
        ("1.5", 1.5),
        (".5", 0.5),
        ("1e-3", 1e-3),
        ("2.5E+4", 25000.0),
        ("3.", 3.0),
        ("pi", math.pi),
        ("e", math.e),
    ],
)
def test_numbers_and_constants(text: str, expected: float) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    "text, point, expected",
    [
        ("-x^2", {"x": 3.0}, -9.0),  # unary minus binds looser than ^
        ("2^3^2", {}, 512.0),  # right-associative: 2^9
        ("2^-1", {}, 0.5),  # a signed exponent
        ("2**3**2", {}, 512.0),  # ** is ^
        ("a-b-c", {"a": 10.0, "b": 3.0, "c": 2.0}, 5.0),  # left-associative
        ("a/b/c", {"a": 12.0, "b": 3.0, "c": 2.0}, 2.0),
        ("1+2*3", {}, 7.0),
        ("(1+2)*3", {}, 9.0),
        ("-2^2", {}, -4.0),
        ("(-2)^2", {}, 4.0),
        ("2*-3", {}, -6.0),
        ("--x", {"x": 1.5}, 1.5),
        ("+x", {"x": 1.5}, 1.5),
        ("2^-x^2", {"x": 1.0}, 0.5),
        ("x_1 + w0", {"x_1": 1.0, "w0": 2.0}, 3.0),
        (" ( x\t+\n1 ) ", {"x": 1.0}, 2.0),  # whitespace, newlines and tabs included
        ("pow(2, 10)", {}, 1024.0),
        ("max(1, 5, 3)", {}, 5.0),
        ("min(4)", {}, 4.0),
        ("3 − 1 × 2 ÷ 4 · 2", {}, 2.0),  # pasted typography reads as ASCII
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_precedence_and_associativity(text: str, point: dict[str, float], expected: float) -> None:
    assert value(text, **point) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_parses_with_its_arity(name: str) -> None:
    arity = FUNCTIONS[name].arity
    args = ", ".join(["0.5"] * (2 if arity == VARIADIC else arity))
    assert math.isfinite(value(f"{name}({args})"))
    with pytest.raises(cgcli.ParseError, match=f"{name} takes"):
        cgcli.parse(f"{name}()" if arity == VARIADIC else f"{name}({', '.join(['1'] * (arity + 1))})")


def test_a_reused_variable_is_one_node_with_a_fork() -> None:
    graph = cgcli.parse("x*x")
    assert [graph.op_name(i) for i in range(len(graph))] == ["var", "mul"]
    assert graph.inputs[1] == (0, 0)
    assert cgcli.evaluate(graph, {"x": 3.0}).gradient == {"x": 6.0}


def test_gradients_add_up_at_a_fork() -> None:
    graph = cgcli.parse("x+x+x")
    assert sum(1 for i in range(len(graph)) if graph.op_name(i) == "var") == 1
    assert cgcli.evaluate(graph, {"x": -1.0}).gradient == {"x": 3.0}


def test_variables_are_listed_in_order_of_first_use() -> None:
    assert list(cgcli.parse("b*a + c*b + a").variables) == ["b", "a", "c"]


def test_constants_are_leaves_and_not_variables() -> None:
    graph = cgcli.parse("2*pi*r")
    assert list(graph.variables) == ["r"]
    assert cgcli.evaluate(graph, {"r": 1.0}).gradient == {"r": pytest.approx(2 * math.pi)}


@pytest.mark.parametrize(
    "text, pieces",
    [
        ("2x", ["unexpected 'x' at column 2", "  2x", "   ^", "did you mean 2*x?"]),
        ("(x+1", ["unexpected end of expression at column 5", "expected", "')'"]),
        ("sine(x)", ["unknown function sine", "did you mean sin?"]),
        ("exp(1, 2)", ["exp takes 1 argument, got 2"]),
        ("max()", ["max takes one or more arguments"]),
        ("x +* y", ["unexpected '*' at column 4"]),
        ("x; y", ["the statement at column 1 is a bare expression, but only the last statement may be one"]),
        ("`x`", ["unexpected character '`'"]),
        ("__import__('os').system('x')", ['unexpected character "\'" at column 12']),
        ("exp", ["exp is a function", "exp(...)"]),
        ("", ["empty expression"]),
        ("1e999", ["number 1e999 is too large"]),
        ("x\n+ (y", ["at line 2, column 5"]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_parse_errors_point_at_the_column(text: str, pieces: list[str]) -> None:
    with pytest.raises(cgcli.ParseError) as caught:
        cgcli.parse(text)
    message = str(caught.value)
    for piece in pieces:
        assert piece in message, message
    assert caught.value.exit_code == 2


def test_a_caret_sits_under_the_offending_character() -> None:
    with pytest.raises(cgcli.ParseError) as caught:
        cgcli.parse("(x + y) * ) z")
    quoted, caret = str(caught.value).splitlines()[1:3]
    assert quoted[caret.index("^")] == ")"
    assert caret.index("^") == quoted.index(") z")


@pytest.mark.parametrize(
    "text",
    [
        "(x + y) * z",
        "-(x ^ 2)",
        "2 ^ 3 ^ 2",
        "(2 ^ 3) ^ 2",
        "a - (b - c)",
        "a / (b * c)",
        "max(x, -y, 3) - -x",
        "(-x) ^ 2",
    ],
)
def test_printing_gives_the_text_back(text: str) -> None:
    assert cgcli.to_text(cgcli.parse(text)) == text
