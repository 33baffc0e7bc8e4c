"""The LALR tables checked in as cgcli/lalr_tables.py are current for grammar/expr.lark.

If this fails after a grammar edit, run ``python -m cgcli.lalr_build`` and commit the result.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from lark import Lark

from cgcli import lalr_tables, parse
from cgcli.errors import ParseError
from cgcli.lalr_build import OPTIONS, grammar_digest, stale
from cgcli.parser import grammar_path

GRAMMAR = grammar_path().read_text(encoding="utf-8")

CORPUS = [
    "(x+y)*z",
    "1/(1+exp(-(w0*x0+w1*x1+w2)))",
    "-x^2 + 2^3^2 - 2^-1",
    "x ** 2 ** -y",
    "max(a, b, c) * min(a) / pow(a, 2)",
    "sigmoid(w0 * x0 − w1 × x1 ÷ 3 · w2)",
    "+-+x - -y",
    "1.5e-3 * .5 + 2E+4",
    "pi * e * sin(cos(tan(tanh(relu(abs(sqrt(log(x))))))))",
    "((((x))))",
]
BAD = ["", "(x", "2x", "x +", "x ** ** y", "f(x)", "x $ y", "max()", "sin(x, y)"]


def test_tables_are_current() -> None:
    assert lalr_tables.GRAMMAR_SHA256 == grammar_digest(GRAMMAR), "run: python -m cgcli.lalr_build"
    assert stale(lalr_tables, GRAMMAR) == ""


def test_check_command_agrees() -> None:
    done = subprocess.run([sys.executable, "-m", "cgcli.lalr_build", "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_stale_names_the_reason() -> None:
    assert "grammar" in stale(lalr_tables, GRAMMAR + "\n// edited\n")


def _tree(text: str) -> str:
    return Lark(GRAMMAR, **OPTIONS).parse(text).pretty()


def _tables_tree(text: str) -> str:
    return Lark._load_from_dict(lalr_tables.DATA, lalr_tables.MEMO).parse(text).pretty()


@pytest.mark.parametrize("text", CORPUS)
def test_tables_parse_as_the_grammar_does(text: str) -> None:
    assert _tables_tree(text) == _tree(text)


@pytest.mark.parametrize("text", BAD)
def test_tables_reject_what_the_grammar_rejects(text: str) -> None:
    grammar_error = tables_error = None
    try:
        _tree(text)
    except Exception as e:  # noqa: BLE001 - compared below
        grammar_error = type(e).__name__
    try:
        _tables_tree(text)
    except Exception as e:  # noqa: BLE001
        tables_error = type(e).__name__
    assert tables_error == grammar_error


def test_stale_tables_fall_back_to_the_grammar(monkeypatch: pytest.MonkeyPatch) -> None:
    import cgcli.parser as parser

    monkeypatch.setattr(lalr_tables, "GRAMMAR_SHA256", "0" * 64)
    monkeypatch.setattr(parser, "_lark", None)
    graph = parse("(x+y)*z")
    assert [graph.op_name(i) for i in range(len(graph))] == ["var", "var", "add", "var", "mul"]
    with pytest.raises(ParseError):
        parse("2x")
