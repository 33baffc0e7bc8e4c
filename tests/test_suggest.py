"""Hints for unknown names: they fix spelling or case, and never name a different function.

SPEC.md: ``cosh`` is not ``cos``, ``log10`` is not ``log``.  Each row below
is a name a user typed and the exact hint cgcli gives, through the CLI.
"""

from __future__ import annotations

import pytest

from cgcli.cli import cli
from cgcli.core.ops import FUNCTIONS
from cgcli.language.suggest import ALIASES, REWRITES, closest, split_product

EVERY = "functions: " + ", ".join(sorted(FUNCTIONS))


@pytest.mark.parametrize(
    "text, hint",
    [
        ("Exp(x)", "did you mean exp?"),
        ("EXP(x)", "did you mean exp?"),
        ("SIN(x)", "did you mean sin?"),
        ("Log10(x)", "did you mean log10?"),
        ("soft_plus(x)", "did you mean softplus?"),
        ("arctan(x)", "did you mean atan?"),
        ("arcsin(x)", "did you mean asin?"),
        ("ArcCos(x)", "did you mean acos?"),
        ("sine(x)", "did you mean sin?"),
        ("sgn(x)", "did you mean sign?"),
        ("sqtr(x)", "did you mean sqrt?"),
        ("expp(x)", "did you mean exp?"),
        ("sigmiod(x)", "did you mean sigmoid?"),
        ("sigmod(x)", "did you mean sigmoid?"),
        ("softpuls(x)", "did you mean softplus?"),
        ("square(x)", "cgcli has no square: write x^2"),
        ("square(x+1)", "cgcli has no square: write (x + 1)^2"),
        ("sqr(x)", "cgcli has no sqr: write x^2 for a square, sqrt(x) for a square root"),
        ("log1p(x)", "cgcli has no log1p: write log(1 + x)"),
        ("Pi(x)", "pi is a constant, not a function"),
        # a different function, however close its letters, is never suggested
        ("cosh2(x)", EVERY),
        ("lg(x)", EVERY),
        ("log3(x)", EVERY),
        ("atanh(x)", EVERY),
        ("sinc(x)", EVERY),
        ("sec(x)", EVERY),
        ("softmax(x)", EVERY),
    ],
)
def test_unknown_function_hints(runner, text: str, hint: str) -> None:
    result = runner.invoke(cli, ["grad", text, "x=1"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == hint


def test_the_whole_message(runner) -> None:
    result = runner.invoke(cli, ["grad", "cosh2(x)", "x=1"])
    assert result.stderr == f"cgcli: error: unknown function cosh2 at column 1\n  cosh2(x)\n  ^\n{EVERY}\n"


@pytest.mark.parametrize(
    "text, hint",
    [
        ("sin x", "did you mean sin(x)? a function's argument goes in parentheses"),
        ("2*exp  x", "did you mean exp(x)? a function's argument goes in parentheses"),
        ("tanh 2", "did you mean tanh(2)? a function's argument goes in parentheses"),
        ("x y", "did you mean x*y? write * between factors"),
        ("2x", "did you mean 2*x? write * between factors"),
    ],
)
def test_a_function_name_then_an_operand_is_a_call(runner, text: str, hint: str) -> None:
    result = runner.invoke(cli, ["grad", text, "x=1", "y=1"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == hint


@pytest.mark.parametrize("name", sorted(set(FUNCTIONS) | {"cos", "cosh", "sin", "sinh", "tan", "tanh"}))
def test_no_function_is_suggested_for_another(name: str) -> None:
    """Every function, less a letter, plus a letter, or a digit: never another function, bar a typo of itself."""
    others = set(FUNCTIONS) - {name}
    for variant in {name[:-1], name + "h", name + "2", name + "10", "a" + name, "arc" + name}:
        if variant in FUNCTIONS:
            continue
        suggested = closest(variant, FUNCTIONS)
        assert suggested not in others or ALIASES.get(variant) == suggested, (variant, suggested)


def test_aliases_and_rewrites_are_not_functions_themselves() -> None:
    assert not set(ALIASES) & set(FUNCTIONS) and not set(REWRITES) & set(FUNCTIONS)
    assert set(ALIASES.values()) <= set(FUNCTIONS)


@pytest.mark.parametrize(
    "name, given, parts",
    [
        ("xy", ["x", "y"], ["x", "y"]),
        ("w0x0", ["w0", "x0"], ["w0", "x0"]),
        ("pix", ["x"], ["pi", "x"]),
        ("xyz", ["x", "y"], None),
        ("pie", ["x"], None),  # constants alone make no product: pie is a name of its own
        ("x", ["x"], None),
        ("x" * 50, ["x"], None),
    ],
)
def test_split_product(name: str, given: list[str], parts: list[str] | None) -> None:
    assert split_product(name, given) == parts
