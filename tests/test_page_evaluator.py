"""The page's generated evaluator against the float rows, every op, in Node (V8, as Chromium).

`cgcli.present.html.evaluator` writes straight-line JavaScript from each
op row's ``js`` field; here each row's graph is evaluated at a grid of
points (kinks, ties, domain edges, overflow, infinities and NaN inside the
graph) by that JavaScript and by `cgcli.core.engine`, and the values, local
gradients, global gradients and domain errors must agree: bit for bit for
the arithmetic rows, within 1e-12 relative where JavaScript's ``Math``
(V8's own fdlibm port) and the C library round the last ulp differently.
The page's number formatting (page_math.js) is checked against Python's
``repr`` and `cgcli.present.numbers.short` too.

Without Node (``/usr/bin/node``) these tests skip and say so.
"""

from __future__ import annotations

import decimal
import itertools
import json
import math
import random
import shutil
import subprocess
import tempfile
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from cgcli import evaluate, parse
from cgcli.core.engine import backward, forward
from cgcli.core.graph import Graph
from cgcli.core.ops import OPS, VARIADIC
from cgcli.errors import DomainError
from cgcli.present.html import evaluator
from cgcli.present.numbers import short

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="Node.js is not installed (apt-get install nodejs)")

MATH_JS = files("cgcli.present").joinpath("page_math.js").read_text(encoding="utf-8")

#: a driver appended to the generated code: points in on stdin, every number out as repr
DRIVER = r"""
const decode = (s) => (s === "inf" ? Infinity : s === "-inf" ? -Infinity : s === "nan" ? NaN : Number(s));
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = input.map((point) => {
  const f = forwardPass(point.map(decode));
  if (f.error !== undefined) return { error: f.error };
  const b = backwardPass(f.L);
  return { v: f.v.map(repr), L: f.L.map((l) => l.map(repr)), g: b.g.map(repr) };
});
process.stdout.write(JSON.stringify(out));
"""

UNARY_POINTS = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -3.0, 1e-8, -1e-8, 19.5, 30.0, -30.0, 700.0, -700.0]
UNARY_POINTS += [1000.0, -1000.0, 0.999999, -0.999999, 1e300, -1e300, math.inf, -math.inf, math.nan]
BINARY_POINTS = [0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 3.0, 1e-300, 1e300, math.inf, -math.inf, math.nan]
EXPONENTS = [0.0, 1.0, 2.0, 3.0, -1.0, -2.0, 0.5, -0.5, 1.5, 1000.0]


def js_results(graph: Graph, points: list[list[float]]) -> list[dict[str, Any]]:
    code = evaluator(graph) + "\n" + MATH_JS + "\n" + DRIVER
    with tempfile.TemporaryDirectory() as folder:
        program = Path(folder) / "run.js"
        program.write_text(code, encoding="utf-8")
        data = json.dumps([[short(x, 17) if not math.isfinite(x) else repr(x) for x in p] for p in points])
        done = subprocess.run([NODE, str(program)], input=data, capture_output=True, text=True, timeout=120)  # type: ignore[list-item]
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def py_result(graph: Graph, point: list[float]) -> dict[str, Any]:
    names = list(graph.variables)
    try:
        value, local = forward(graph, dict(zip(names, point, strict=True)))
    except DomainError as e:
        return {"error": e.node}
    return {"v": value, "L": local, "g": backward(graph, local)}


def same(js: str, py: float) -> tuple[bool, bool]:
    """(agrees within 1e-12 relative, agrees bit for bit)."""
    got = float(js)
    if math.isnan(py) or math.isnan(got):
        return math.isnan(py) and math.isnan(got), math.isnan(py) and math.isnan(got)
    if js == repr(float(py)):
        return True, True
    return math.isclose(got, py, rel_tol=1e-12), False


def graphs_for(key: str) -> list[tuple[Graph, list[list[float]]]]:
    op = OPS[key]
    if key == "pow":  # a constant exponent: one graph each
        out = []
        for b in EXPONENTS:
            g = Graph()
            g.apply(op, g.variable("a"), g.constant(b, repr(b)))
            out.append((g, [[a] for a in BINARY_POINTS + [-8.0, 4.0]]))
        return out
    g = Graph()
    if op.arity == VARIADIC:
        g.apply(op, g.variable("a"), g.variable("b"), g.variable("a"), g.variable("c"))  # a used twice: a tie
        values = [1.0, -1.0, 2.0, math.nan, 0.0, -0.0]
        return [(g, [list(p) for p in itertools.product(values, repeat=3)])]
    if op.arity == 2:
        g.apply(op, g.variable("a"), g.variable("b"))
        return [(g, [list(p) for p in itertools.product(BINARY_POINTS, repeat=2)])]
    g.apply(op, g.variable("a"))
    return [(g, [[a] for a in UNARY_POINTS])]


def test_every_row_has_a_javascript_formula() -> None:
    arity = {key: 1 if op.arity in (1, VARIADIC) else 2 for key, op in OPS.items()}
    missing = [key for key, op in OPS.items() if op.js is None or len(op.js.local) != arity[key]]
    assert missing == []


def test_the_evaluator_holds_ids_constants_and_the_table_only() -> None:
    g = Graph()
    g.apply(OPS["mul"], g.variable("alert_document_cookie"), g.constant(2.5, "2.50"))
    code = evaluator(g)
    assert "alert" not in code and "2.50" not in code and "2.5;" in code


EXACT: dict[str, int] = {}


@needs_node
@pytest.mark.parametrize("key", sorted(OPS))
def test_every_row_in_javascript_agrees_with_its_float_row(key: str) -> None:
    exact = total = 0
    for graph, points in graphs_for(key):
        for point, js in zip(points, js_results(graph, points), strict=True):
            py = py_result(graph, point)
            if "error" in py or "error" in js:
                assert ("error" in py) == ("error" in js), (key, point, py, js)
                continue
            pairs = [(js["v"][i], py["v"][i]) for i in range(len(graph))]
            pairs += [(js["g"][i], py["g"][i]) for i in range(len(graph))]
            pairs += [(jl, pl) for i in range(len(graph)) for jl, pl in zip(js["L"][i], py["L"][i], strict=True)]
            for j, p in pairs:
                close, bitwise = same(j, p)
                assert close, (key, point, j, p)
                exact += bitwise
                total += 1
    EXACT[key] = total - exact  # how many numbers differ in the last digits (none for arithmetic)
    if key in ("add", "sub", "mul", "div", "neg", "relu", "abs", "max", "min", "sign", "step", "sqrt"):
        assert exact == total, f"{key}: {total - exact} of {total} numbers differ"


@needs_node
def test_numbers_are_written_as_python_writes_them() -> None:
    rng = random.Random(12)
    xs = [0.0, -0.0, 1.0, -12.0, 0.1, 1e-4, 1e-5, 1e15, 1e16, 123456789012345678.0, 5e-324, 1.7976931348623157e308]
    xs += [math.inf, -math.inf, math.nan, 0.7310585786300049, -0.19661193324148188]
    xs += [rng.choice([-1, 1]) * 10 ** rng.uniform(-30, 30) for _ in range(300)]
    xs += [rng.uniform(-5, 5) for _ in range(200)]
    code = "const xs = " + json.dumps([repr(x) for x in xs]).replace('"-inf"', '"-Infinity"').replace(
        '"inf"', '"Infinity"'
    ).replace('"nan"', '"NaN"')
    code += ";\n" + MATH_JS + "\nconst out = xs.map(Number).map((x) => [repr(x), "
    code += "[1,2,3,6,17].map((p) => gFormat(x, p))]);\nprocess.stdout.write(JSON.stringify(out));"
    done = subprocess.run([NODE, "-e", code], capture_output=True, text=True, timeout=60)  # type: ignore[list-item]
    assert done.returncode == 0, done.stderr
    for x, (text, formatted) in zip(xs, json.loads(done.stdout), strict=True):
        assert text == ("nan" if math.isnan(x) else repr(x))
        # NOTE: toFixed rounds an exact tie away from zero, Python to even (display only: data-value
        # and data-grad use repr); such ties are left out
        for p, text in zip((1, 2, 3, 6, 17), formatted, strict=True):
            assert text == short(x, p) or tie(x, p), (x, p)


def tie(x: float, p: int) -> bool:
    """Does ``x`` lie exactly halfway between two numbers of ``p`` significant digits?"""
    if not math.isfinite(x) or x == 0:
        return False
    exact = decimal.Decimal(x)
    place = exact.adjusted() - p + 1
    up, even = (
        exact.quantize(decimal.Decimal(1).scaleb(place), rounding=r)
        for r in (decimal.ROUND_HALF_UP, decimal.ROUND_HALF_EVEN)
    )
    return up != even


@needs_node
@pytest.mark.parametrize("seed", range(3))
def test_random_programs_agree_with_grad_in_javascript(seed: int) -> None:
    """Random expressions over every function (and programs naming their parts), a few points each."""
    from tests.test_page import random_cases  # the browser tests' generator, without the browser

    cases = list(random_cases(100 + seed, 60))
    # every other one as a program: its value named, then used twice (a fork at a named node)
    cases = [(f"t = {text}; L = t * t + t" if k % 2 else text, points) for k, (text, points) in enumerate(cases)]
    parts = [MATH_JS, "const out = [];"]
    for text, points in cases:
        graph = parse(text)
        data = json.dumps([[repr(x) for x in p.values()] for p in points])
        parts.append(
            "{ const ev = (function () {\n" + evaluator(graph) + "\nreturn {forwardPass, backwardPass}; })();\n"
            f"out.push({data}.map((p) => {{ const f = ev.forwardPass(p.map(Number));"
            " if (f.error !== undefined) return {error: f.error};"
            " return {v: f.v.map(repr), g: ev.backwardPass(f.L).g.map(repr)}; })); }"
        )
    parts.append("process.stdout.write(JSON.stringify(out));")
    with tempfile.TemporaryDirectory() as folder:
        program = Path(folder) / "run.js"
        program.write_text("\n".join(parts), encoding="utf-8")
        done = subprocess.run([NODE, str(program)], capture_output=True, text=True, timeout=120)  # type: ignore[list-item]
    assert done.returncode == 0, done.stderr
    for (text, points), results in zip(cases, json.loads(done.stdout), strict=True):
        graph = parse(text)
        for point, js in zip(points, results, strict=True):
            ref = evaluate(graph, point)
            numbers = [abs(x) for x in ref.value + ref.grad if math.isfinite(x)]
            scale = max(numbers + [1.0])
            for got, want in zip(js["v"] + js["g"], ref.value + ref.grad, strict=True):
                if math.isnan(want):
                    assert got == "nan", (text, point)
                else:
                    close = math.isclose(float(got), want, rel_tol=1e-12, abs_tol=1e-12 * scale)
                    assert close, (text, point, got, want)
