"""Programs: statements that name intermediate nodes, as the lecture does (SPEC.md, "Programs").

The lecture's q = x + y, f = q * z; where a line break ends a statement;
each usage error and the warning, with exit code and exact message; names in
every output; a hypothesis round trip through `to_text`; a 100,000-statement
chain.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cgcli
from cgcli.cli import cli
from cgcli.core.ops import FUNCTIONS
from cgcli.errors import ParseError

LECTURE = "q = x + y; f = q * z"
POINT = ["--x=-2", "--y=5", "--z=-4"]


def structure(graph: cgcli.Graph) -> list[tuple[Any, ...]]:
    """What two graphs must share to be the same: every node's op, inputs, leaf, and name; the output's name."""
    nodes = [
        (graph.op_name(i), graph.inputs[i], graph.constants.get(i), graph.leaf_text.get(i), graph.names.get(i))
        for i in range(len(graph))
    ]
    return [*nodes, ("output", graph.output_name)]


# -- the lecture ----------------------------------------------------------------


def test_the_lecture_program_has_every_number_of_the_lecture() -> None:
    graph = cgcli.parse(LECTURE)
    result = cgcli.evaluate(graph, {"x": -2, "y": 5, "z": -4})
    rows = [
        (graph.names.get(i), graph.text(i), result.value[i], result.local[i], result.grad[i]) for i in range(len(graph))
    ]
    assert rows == [
        (None, "x", -2.0, (), -4.0),
        (None, "y", 5.0, (), -4.0),
        ("q", "x + y", 3.0, (1.0, 1.0), -4.0),
        (None, "z", -4.0, (), 3.0),
        ("f", "q * z", -12.0, (-4.0, 3.0), 1.0),
    ]
    assert graph.output_name == "f"
    assert result.gradient == {"x": -4.0, "y": -4.0, "z": 3.0}


def test_a_program_and_its_expression_make_the_same_graph_but_for_names() -> None:
    program, expression = cgcli.parse(LECTURE), cgcli.parse("(x+y)*z")
    assert [s[:4] for s in structure(program)[:-1]] == [s[:4] for s in structure(expression)[:-1]]
    assert expression.names == {} and expression.output_name == "f"


def test_the_grad_table_names_the_nodes(runner) -> None:
    result = runner.invoke(cli, ["grad", LECTURE, *POINT])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == ["q = x + y", "f = q * z"]
    assert "│  2 │ q = x + y │ add │     3 │ #0: 1, #1: 1  │   -4 │ distributor │" in lines
    assert "│  4 │ f = q * z │ mul │   -12 │ #2: -4, #3: 3 │    1 │ switcher    │" in lines
    assert lines[-6:-2] == ["f = -12", "∂f/∂x = -4", "∂f/∂y = -4", "∂f/∂z = 3"]


def test_the_json_names_nodes_and_the_output(runner) -> None:
    result = runner.invoke(cli, ["grad", LECTURE, *POINT, "--json"])
    document = json.loads(result.stdout)
    assert document["output"] == "f"
    assert document["expression"] == LECTURE
    assert [node.get("name") for node in document["nodes"]] == [None, None, "q", None, "f"]
    assert [node["expr"] for node in document["nodes"]] == ["x", "y", "x + y", "z", "q * z"]
    assert document["value"] == -12.0


def test_the_output_name_is_the_last_statements(runner) -> None:
    result = runner.invoke(cli, ["grad", "q = x + y\nL = q * z", *POINT])
    assert result.exit_code == 0, result.output
    assert "grad: ∂L/∂node" in result.stdout  # the legend under the table
    assert result.stdout.splitlines()[-6:-2] == ["L = -12", "∂L/∂x = -4", "∂L/∂y = -4", "∂L/∂z = 3"]
    document = json.loads(runner.invoke(cli, ["grad", "q = x + y\nL = q * z", *POINT, "--json"]).stdout)
    assert document["output"] == "L"


def test_a_bare_last_statement_is_f(runner) -> None:
    graph = cgcli.parse("q = x + y; q * z")
    assert graph.output_name == "f" and graph.names == {2: "q"}
    graph = cgcli.parse("q = x + y; q")  # the output is q's node, and its name f (SPEC.md)
    assert graph.output_name == "f" and graph.names == {2: "q"}
    assert cgcli.to_text(graph) == "q = x + y\nq"
    assert cgcli.parse("f = x + y; f").output_name == "f"


def test_steps_narrate_with_the_names(runner) -> None:
    result = runner.invoke(cli, ["grad", LECTURE, *POINT, "--steps"])
    steps = result.stdout.split("backward pass, from the output to the inputs:\n")[1]
    assert steps.splitlines() == [
        "  #4 mul f: upstream 1 × local -4 = -4 → #2 q",
        "  #4 mul f: upstream 1 × local 3 = 3 → #3 z",
        "  #2 add q: upstream -4 × local 1 = -4 → #0 x",
        "  #2 add q: upstream -4 × local 1 = -4 → #1 y",
    ]
    document = json.loads(runner.invoke(cli, ["grad", LECTURE, *POINT, "--steps", "--json"]).stdout)
    assert document["steps"][0]["name"] == "f" and document["steps"][0]["to_name"] == "q"


def test_a_shared_name_is_a_fork() -> None:
    graph = cgcli.parse("q = x * y\nf = q + q")
    result = cgcli.evaluate(graph, {"x": 3, "y": 2})
    assert graph.inputs[graph.output] == (2, 2)
    assert result.gradient == {"x": 4.0, "y": 6.0}


@pytest.mark.parametrize(
    "fmt, expected",
    [
        ("tree", ["#4 f: * mul · switcher", "├── #2 q: + add · distributor"]),
        ("dot", ['n2 [label="q: + add · distributor", tooltip="#2 x + y"];', 'out [label="f", shape=plaintext];']),
        ("mermaid", ['n2["q: + add · distributor"]', 'out(("f"))']),
    ],
)
def test_pictures_label_nodes_with_their_names(runner, fmt: str, expected: list[str]) -> None:
    result = runner.invoke(cli, ["graph", LECTURE, *POINT, "--format", fmt])
    assert result.exit_code == 0, result.output
    for piece in expected:
        assert piece in result.stdout


def test_fuse_keeps_the_name_of_the_whole_sigmoid(runner) -> None:
    graph = cgcli.fuse(cgcli.parse("s = 1/(1+exp(-(w*x)))\nL = 2*s"))
    assert [graph.op_name(i) for i in range(len(graph))] == ["var", "var", "mul", "sigmoid", "const", "mul"]
    assert graph.names == {3: "s", 5: "L"}
    result = runner.invoke(cli, ["grad", "s = 1/(1+exp(-(w*x)))\nL = 2*s", "w=1", "x=2", "--fuse", "--json"])
    assert json.loads(result.stdout)["nodes"][3]["name"] == "s"


def test_fuse_leaves_a_named_part_of_the_sigmoid_alone() -> None:
    graph = cgcli.fuse(cgcli.parse("d = 1 + exp(-(w*x)); s = 1/d"))
    assert "sigmoid" not in [graph.op_name(i) for i in range(len(graph))]
    assert sorted(graph.names.values()) == ["d", "s"]


# -- where a line break ends a statement ------------------------------------------

SAME_AS = [
    ("w0*x0 +\n w1*x1", "w0*x0 + w1*x1"),
    ("w0*x0\n+ w1*x1", "w0*x0 + w1*x1"),
    ("w0*x0\n  − w1*x1", "w0*x0 - w1*x1"),
    ("a\n* b\n/ c\n^ 2\n** 3", "a * b / c ^ 2 ** 3"),
    ("max(a,\n b)", "max(a, b)"),
    ("(x\n+\ny)\n*z", "(x+y)*z"),
    ("sin\n(x)", "sin(x)"),
    ("(\nx\n)", "x"),
    ("q =\n x + y; f = q * z", LECTURE),
    ("q = x + y\nf = q * z", LECTURE),
    ("q = x + y\r\nf = q * z\r\n", LECTURE),
    ("\n\nq = x + y\n\n\nf = q * z\n\n", LECTURE),
    ("q = x + y;\nf = q * z;", LECTURE),
    ("# the lecture\nq = x + y  # a sum\nf = q * z  # (a product", LECTURE),
    ("x + # a comment (\n y", "x + y"),
]


@pytest.mark.parametrize("text, same", SAME_AS, ids=[repr(t) for t, _ in SAME_AS])
def test_line_breaks_where_a_statement_cannot_end_are_whitespace(text: str, same: str) -> None:
    assert structure(cgcli.parse(text)) == structure(cgcli.parse(same))


def test_unicode_digits_are_not_numbers() -> None:
    for digit in ["٣", "３", "²"]:
        with pytest.raises(ParseError):
            cgcli.parse(f"x + {digit}")


# -- errors and the warning --------------------------------------------------------

ERRORS = [
    (
        ["grad", "q = x\nf = q\nq = y"],
        "cgcli: error: q is defined on line 1 and again on line 3\n  q = y\n  ^\n"
        "a name is defined once: give the second definition a name of its own\n",
    ),
    (
        ["grad", "q = x; q = y"],
        "cgcli: error: q is defined at column 1 and again at column 8\n  q = x; q = y\n         ^\n"
        "a name is defined once: give the second definition a name of its own\n",
    ),
    (
        ["grad", "f = q * z\nq = x + y"],
        "cgcli: error: q is used on line 1 before its definition on line 2\n  f = q * z\n      ^\n"
        "define q before the statements that use it\n",
    ),
    (
        ["grad", "q = q + 1"],
        "cgcli: error: q is used in its own definition at column 5\n  q = q + 1\n      ^\n"
        "a name is defined once: give the new value a name of its own (q2 = …)\n",
    ),
    (
        ["grad", "x = 1; pi = 3; f = x * pi"],
        "cgcli: error: cannot define pi at column 8: it is a constant\n  x = 1; pi = 3; f = x * pi\n         ^\n"
        "pick another name\n",
    ),
    (
        ["grad", "e = 2"],
        "cgcli: error: cannot define e at column 1: it is a constant\n  e = 2\n  ^\npick another name\n",
    ),
    (
        ["grad", "exp = x + 1"],
        "cgcli: error: cannot define exp at column 1: it is a function\n  exp = x + 1\n  ^\npick another name\n",
    ),
    (
        ["grad", "x + y\nz * 2"],
        "cgcli: error: the statement on line 1 is a bare expression, but only the last statement may be one\n"
        "  x + y\n  ^\nname it (t = …), or join it to the next line with an operator\n",
    ),
    (
        ["grad", LECTURE, *POINT, "--q=3"],
        "cgcli: error: q is defined at column 1 and also given a value on the command line\n"
        "  q = x + y; f = q * z\n  ^\ndrop the value: q is computed from its definition\n",
    ),
    (
        ["grad", "q = x + y\nf = q * z", *POINT, "f=1"],
        "cgcli: error: f is defined on line 2 and also given a value on the command line\n"
        "  f = q * z\n  ^\ndrop the value: f is computed from its definition\n",
    ),
]


@pytest.mark.parametrize("args, message", ERRORS, ids=[repr(a[1])[:40] for a, _ in ERRORS])
def test_each_error_is_a_usage_error_with_a_caret(runner, args: list[str], message: str) -> None:
    result = runner.invoke(cli, args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_no_function_name_can_be_defined(name: str) -> None:
    with pytest.raises(ParseError, match=f"cannot define {name} at column 1: it is a function"):
        cgcli.parse(f"{name} = x")


def test_an_unused_definition_is_a_warning_and_is_not_evaluated(runner) -> None:
    # log(w) at w = -1 would be a domain error, were it evaluated
    program = "q = x + y\nr = log(w)\nf = q * z"
    result = runner.invoke(cli, ["grad", program, *POINT, "--w=-1"])
    assert result.exit_code == 0, result.output
    warning = "cgcli: warning: r is defined on line 2 but the output does not use it: it is not evaluated\n"
    assert result.stderr == warning
    graph = cgcli.parse(program)
    assert [graph.op_name(i) for i in range(len(graph))] == ["var", "var", "add", "var", "mul"]
    assert graph.unused_variables == {"w"}
    assert "∂f/∂w" not in result.stdout


def test_a_definition_used_only_by_unused_ones_is_unused_too() -> None:
    graph = cgcli.parse("a = 2 * x; b = a + 1; f = y")
    assert graph.warnings == [
        "a is defined at column 1 but the output does not use it: it is not evaluated",
        "b is defined at column 12 but the output does not use it: it is not evaluated",
    ]
    assert len(graph) == 1


def test_errors_and_warnings_in_a_real_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cgcli", "grad", "q = x; q = y"], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("cgcli: error: q is defined at column 1 and again at column 8\n")
    done = subprocess.run(
        [sys.executable, "-m", "cgcli", "grad", "a = 2*x; f = y", "y=1"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert "warning: a is defined at column 1 but the output does not use it" in done.stderr


# -- printing a program back --------------------------------------------------------


def test_to_text_prints_the_program() -> None:
    assert cgcli.to_text(cgcli.parse("q = x+y; f = q*z")) == "q = x + y\nf = q * z"
    assert cgcli.to_text(cgcli.parse("q = x+y; q*z")) == "q = x + y\nq * z"
    assert cgcli.to_text(cgcli.parse("a = x*y; f = a")) == "a = x * y\na"  # f is the bare statement's name
    assert cgcli.to_text(cgcli.parse("a = x*y; L = a")) == "a = x * y\nL = a"
    assert cgcli.to_text(cgcli.parse("f = x")) == "f = x"
    assert cgcli.to_text(cgcli.parse("a = x*f; a")) == "a = x * f\na"
    assert cgcli.to_text(cgcli.parse("q = x - y; f = 2 - q")) == "q = x - y\nf = 2 - q"
    assert cgcli.to_text(cgcli.parse("k = 2; f = -k ^ 2")) == "k = 2\nf = -(k ^ 2)"


NAMES = ["a", "b", "c", "t1", "t2", "L"]
VARIABLES = ["x", "y", "w0"]


@st.composite
def programs(draw: st.DrawFn) -> str:
    """A random program: up to five statements, each built from the variables and the names before it."""
    count = draw(st.integers(1, 5))
    names = NAMES[:count]
    statements = []
    for k, name in enumerate(names):
        atoms = st.sampled_from(VARIABLES + names[:k] + ["2", "0.5", "pi"])
        expr = draw(atoms)
        for _ in range(draw(st.integers(0, 3))):
            op = draw(st.sampled_from(["+", "-", "*", "/", "^", "max", "sin"]))
            other = draw(atoms)
            if op == "max":
                expr = f"max({expr}, {other})"
            elif op == "sin":
                expr = f"sin({expr})"
            else:
                shapes = [f"{expr} {op} {other}", f"({expr}) {op} {other}", f"{other} {op} ({expr})"]
                expr = draw(st.sampled_from(shapes))
        last = k == count - 1
        statements.append(expr if last and draw(st.booleans()) else f"{name} = {expr}")
    separator = draw(st.sampled_from(["; ", "\n", ";\n", "\n\n", "  # note\n"]))
    return separator.join(statements)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_to_text_parses_back_to_the_same_graph(program: str) -> None:
    graph = cgcli.parse(program)
    again = cgcli.parse(cgcli.to_text(graph))
    assert structure(again) == structure(graph)
    assert cgcli.to_text(again) == cgcli.to_text(graph)


# -- size -----------------------------------------------------------------------------


@pytest.mark.timeout(120)
def test_a_100000_statement_chain() -> None:
    n = 100_000
    program = "t0=x\n" + "".join(f"t{k}=t{k - 1}*w+y\n" for k in range(1, n)) + "L=t99999"
    graph = cgcli.parse(program)
    assert len(graph) == 2 * n + 1
    assert graph.output_name == "L" and graph.names[graph.output] == "t99999"
    result = cgcli.evaluate(graph, {"x": 1.0, "w": 1.0001, "y": 0.0})
    assert result.gradient["x"] == pytest.approx(1.0001 ** (n - 1), rel=1e-9)
    text = cgcli.to_text(graph)
    assert text.splitlines()[0] == "t1 = x * w + y" and text.endswith("\nL = t99999")


# -- the driver and Lark read programs alike ---------------------------------------------


def _lark_graph(text: str) -> cgcli.Graph:
    """Parse with Lark (and its postlexer) instead of the fast driver."""
    from cgcli.language import parser

    with parser._lock:
        try:
            parser._builder.start(text)
            parser._lark_parse(text)
            return parser._finish(parser._builder)
        finally:
            parser._builder.start("")


@pytest.mark.parametrize("text", [t for t, _ in SAME_AS] + [LECTURE, "a = 2*x; f = y", "q = w\n(x + y) * q"])
def test_lark_reads_programs_as_the_driver_does(text: str) -> None:
    assert structure(_lark_graph(text)) == structure(cgcli.parse(text))


@pytest.mark.parametrize("text", ["x + y\nz", "q = x; q = y", "f = q; q = x", "pi = 1", "sin\n(x)\n(y)"])
def test_lark_rejects_programs_as_the_driver_does(text: str) -> None:
    with pytest.raises(ParseError) as driver:
        cgcli.parse(text)
    with pytest.raises(ParseError) as lark:
        _lark_graph(text)
    assert str(lark.value) == str(driver.value)


BAD = [
    "",
    "   ",
    "# only a comment",
    "(x",
    "2x",
    "x +",
    "x ** ** y",
    "x $ y",
    "(x+1",
    "x +* y",
    "sin(x,)",
    "x + y = 3",
    "(q = x)",
    "q =",
    "q = x\n)",
    "q = x\n= 2",
    "f(x) = 2",
    "1 2",
    "x\n+",
    "q = (x +\n",
    "x ٣",
    "a = x;\n(y",
]


@pytest.mark.parametrize("text", BAD, ids=[repr(t) for t in BAD])
def test_the_driver_names_syntax_errors_as_lark_does(text: str) -> None:
    """The driver names a syntax error itself (no second parse); the message is Lark's, word for word."""
    with pytest.raises(ParseError) as driver:
        cgcli.parse(text)
    with pytest.raises(ParseError) as lark:
        _lark_graph(text)
    assert str(driver.value) == str(lark.value)


PIECES = ["x", "y", "q", "2", ".5", "1e3", "+", "-", "*", "/", "^", "**", "(", ")", ",", "=", ";", "\n", " ", "#c\n"]
PIECES += ["sin", "max", "pi", "$", "×", "−"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_the_driver_and_lark_agree_on_token_soup(text: str) -> None:
    outcomes = []
    for parse in (cgcli.parse, _lark_graph):
        try:
            outcomes.append(structure(parse(text)))
        except ParseError as e:
            outcomes.append(str(e))
    assert outcomes[0] == outcomes[1]


def test_another_name_for_a_variable_is_that_variable() -> None:
    graph = cgcli.parse("a = x; q = y * 2; f = q + a")
    assert list(graph.variables) == ["y", "x"]  # as in f = y * 2 + x: x is first used by f
    assert graph.warnings == []
    assert structure(cgcli.parse(cgcli.to_text(graph))) == structure(graph)
    graph = cgcli.parse("a = x; b = a * 2; f = y")
    assert [w.split(" is defined")[0] for w in graph.warnings] == ["a", "b"]
    assert list(graph.variables) == ["y"] and graph.unused_variables == {"x"}


# -- the layers ---------------------------------------------------------------------------


def _imports(path: Any) -> set[str]:
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_core_imports_no_layer_above_it_and_the_language_has_no_cycle() -> None:
    from pathlib import Path

    package = Path(cgcli.__file__).parent
    for module in (package / "core").glob("*.py"):
        above = {m for m in _imports(module) if any(layer in m for layer in ("language", "present", "cli", "modes"))}
        assert not above, (module.name, above)
    language = package / "language"
    assert not {m for m in _imports(language / "lalr_build.py") if m.endswith("parser")}
    assert not {m for m in _imports(language / "parser.py") if m.endswith("lalr_build")}
    assert not {m for m in _imports(language / "printer.py") if m.endswith("parser")}


@pytest.mark.parametrize(
    "args, value",
    [
        (["q=x+y;f=q*z", *POINT], -12.0),
        (["f=x*2", "x=3"], 6.0),
        (["x=3", "f=x*2"], 6.0),
        (["q=x + y", "x=1", "y=2"], 3.0),
    ],
)
def test_a_compact_program_is_the_expression_not_a_variable(runner, args: list[str], value: float) -> None:
    result = runner.invoke(cli, ["grad", *args, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["value"] == value
