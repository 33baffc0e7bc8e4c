"""The LALR tables checked in as cgcli/lalr_tables.py are current for grammar/expr.lark.

If this fails after a grammar edit, run ``python -m cgcli.language.lalr_build`` and commit the result.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Lark

from cgcli import parse
from cgcli.errors import ParseError
from cgcli.language import lalr_tables
from cgcli.language.lalr_build import OPTIONS, stale
from cgcli.language.parser import grammar_text

GRAMMAR = grammar_text()

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
    assert lalr_tables.GRAMMAR == GRAMMAR, "run: python -m cgcli.language.lalr_build"
    assert stale(lalr_tables, GRAMMAR) == ""


def test_check_command_agrees() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cgcli.language.lalr_build", "--check"], capture_output=True, text=True
    )
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
    import cgcli.language.parser as parser

    # tables built from another grammar: neither the driver nor the loaded tables may be used
    monkeypatch.setattr(lalr_tables, "GRAMMAR", "// an older grammar\n")
    monkeypatch.setattr(parser, "_lark", None)
    monkeypatch.setattr(parser, "_driver", None)
    graph = parse("(x+y)*z")
    assert [graph.op_name(i) for i in range(len(graph))] == ["var", "var", "add", "var", "mul"]
    with pytest.raises(ParseError):
        parse("2x")


# -- the driver over the tables reads exactly what Lark reads ----------------------


def _graph_fields(graph: object) -> tuple:
    return tuple(getattr(graph, f) for f in ("ops", "inputs", "constants", "leaf_text", "variables", "constant_ids"))


def _through_lark(text: str, monkeypatch: pytest.MonkeyPatch):
    import cgcli.language.parser as parser

    with monkeypatch.context() as m:
        m.setattr(parser, "_tables_driver", lambda: None)
        return parse(text)


@pytest.mark.parametrize("text", CORPUS)
def test_driver_builds_the_graph_lark_builds(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import cgcli.language.parser as parser
    from cgcli.language.lalr import Fallback

    driver = parser._tables_driver()
    assert driver is not None
    parser._builder.graph = parser.Graph()
    try:
        driver.parse(text)  # no Fallback: the driver itself reads every valid text
    except Fallback as e:  # pragma: no cover - the assertion's message
        pytest.fail(f"driver fell back on {text!r}: {e}")
    assert _graph_fields(parse(text)) == _graph_fields(_through_lark(text, monkeypatch))


@pytest.mark.parametrize("text", [*BAD, "exp", "foo(x)", "sin()", "1e999", "x ^ ^"])
def test_errors_are_lark_errors(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ParseError) as driver_error:
        parse(text)
    with pytest.raises(ParseError) as lark_error:
        _through_lark(text, monkeypatch)
    assert str(driver_error.value) == str(lark_error.value)


_ATOMS = st.sampled_from(["x", "y", "2", ".5", "1e-3", "pi", "e"])
_BINARY = st.sampled_from([" + ", "-", " * ", "/", "^", "**", " − ", "×"])
_CALLS = st.sampled_from(["sin", "exp", "max", "min", "relu", "pow"])


@st.composite
def expressions(draw: st.DrawFn) -> str:
    """Random well- and ill-formed texts, built with a loop."""
    parts = [draw(_ATOMS)]
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 5))
        if kind == 0:
            parts = ["(", *parts, ")"]
        elif kind == 1:
            parts = ["-", *parts]
        elif kind == 2:
            name = draw(_CALLS)
            extra = [", ", draw(_ATOMS)] if name in ("max", "min", "pow") else []
            parts = [name, "(", *parts, *extra, ")"]
        else:
            parts += [draw(_BINARY), draw(_ATOMS)]
    if draw(st.booleans()) and draw(st.integers(0, 9)) == 0:  # now and then, a typo
        parts.insert(draw(st.integers(0, len(parts))), draw(st.sampled_from(["(", ")", "*", "2x", "$", ","])))
    return "".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=expressions())
def test_driver_and_lark_agree_on_random_text(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def outcome(f):
        try:
            return _graph_fields(f())
        except ParseError as e:
            return str(e)

    assert outcome(lambda: parse(text)) == outcome(lambda: _through_lark(text, monkeypatch))
