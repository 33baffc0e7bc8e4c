"""`cgcli graph --format html` in a real browser: Debian's Chromium, driven by Playwright.

The page must step the forward pass node by node and the backward pass
edge by edge, agree with ``grad --json`` at every point (kinks and ties
included), recompute when an input changes, make no network request and let
no text become markup.  Its numbers come from JavaScript's ``Math``, which
may differ from the C library in the last ulp for some functions, so they
are compared within 1e-12 relative (and 1e-12 of the largest number the
computation went through, where cancellation makes a result small).

Never downloads a browser: without Playwright, /usr/bin/chromium or
Graphviz these tests skip and say which is missing.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import cgcli
import cgcli.present.html
from cgcli.cli import cli
from cgcli.present.browser import CHROMIUM, launch_chromium
from tests.conftest import LECTURE

try:
    from playwright.sync_api import Page, sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    sync_playwright = None

MISSING = (
    "Playwright is not installed (pip install -e '.[test]')"
    if sync_playwright is None
    else f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if not Path(CHROMIUM).exists()
    else "Graphviz is not installed (apt-get install graphviz)"
    if shutil.which("dot") is None
    else ""
)
pytestmark = pytest.mark.skipif(bool(MISSING), reason=MISSING)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as p:  # type: ignore[misc]
        chromium = launch_chromium(p, timeout=60_000)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(90_000)  # the machine may be loaded
    tab.errors = []  # type: ignore[attr-defined]
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))  # type: ignore[attr-defined]
    # a console error is also what a blocked resource or a Content-Security-Policy violation gives
    tab.on("console", lambda m: m.type == "error" and tab.errors.append(m.text))  # type: ignore[attr-defined]
    yield tab
    assert tab.errors == []  # type: ignore[attr-defined]
    context.close()


def write_page(runner: Any, tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "page.html"
    result = runner.invoke(cli, ["graph", *args, "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


def open_page(page: Page, path: Path) -> None:
    page.goto(path.as_uri())


def shown(page: Page, attribute: str) -> dict[int, str]:
    """Node id -> the data-value or data-grad it shows, for nodes that have one."""
    pairs = page.eval_on_selector_all(
        "[data-node]", f"els => els.map(e => [Number(e.dataset.node), e.getAttribute('data-{attribute}')])"
    )
    return {i: text for i, text in pairs if text is not None}


def close(page_number: str, expected: float, scale: float) -> bool:
    got = float(page_number)
    if math.isnan(expected) or math.isinf(expected):
        return got == expected or (math.isnan(got) and math.isnan(expected))
    return math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-12 * scale)


def assert_agrees(page: Page, nodes: list[dict[str, Any]]) -> None:
    """Every node's data-value and data-grad agree with grad --json's ``nodes``."""
    numbers = [float(n[k]) for n in nodes for k in ("value", "grad")]
    scale = max([abs(x) for x in numbers if math.isfinite(x)] + [1.0])
    values, grads = shown(page, "value"), shown(page, "grad")
    assert sorted(values) == sorted(grads) == list(range(len(nodes)))
    for n in nodes:
        assert close(values[n["id"]], float(n["value"]), scale), (n, values[n["id"]])
        assert close(grads[n["id"]], float(n["grad"]), scale), (n, grads[n["id"]])


def grad_json(text: str, point: dict[str, float]) -> dict[str, Any]:
    """``cgcli grad --json`` in a real process."""
    done = subprocess.run(
        [sys.executable, "-m", "cgcli", "grad", "--json", "--", text, *(f"{k}={v!r}" for k, v in point.items())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def assignments(point: dict[str, float]) -> list[str]:
    return [f"{k}={v!r}" for k, v in point.items()]


@pytest.mark.parametrize("name", sorted(LECTURE))
def test_forward_n_times_reveals_exactly_the_first_n_values(runner, tmp_path, page, name) -> None:
    text, point, *_ = LECTURE[name]
    open_page(page, write_page(runner, tmp_path, text, *assignments(point)))
    reference = cgcli.evaluate(cgcli.parse(text), point)
    assert shown(page, "value") == {} and shown(page, "grad") == {}
    for n in range(1, len(reference.value) + 1):
        page.click('[data-action="forward"]')
        values = shown(page, "value")
        assert sorted(values) == list(range(n))
        assert values[n - 1] == repr(reference.value[n - 1])  # the lecture's ops: exact, as Python's repr
    assert shown(page, "grad") == {}


@pytest.mark.parametrize("name", sorted(LECTURE))
def test_a_full_backward_pass_gives_grad_json(runner, tmp_path, page, name) -> None:
    text, point, *_ = LECTURE[name]
    open_page(page, write_page(runner, tmp_path, text, *assignments(point)))
    nodes = grad_json(text, point)["nodes"]
    for _ in nodes:
        page.click('[data-action="forward"]')
    page.click('[data-action="backward"]')  # the seed: 1 at the output
    assert shown(page, "grad") == {len(nodes) - 1: "1.0"}
    edges = sum(len(n["inputs"]) for n in nodes)
    for _ in range(edges):
        page.click('[data-action="backward"]')
    assert_agrees(page, nodes)
    for n in nodes:  # and exactly, for these ops
        assert shown(page, "grad")[n["id"]] == repr(float(n["grad"]))


def test_the_backward_pass_waits_for_the_forward_pass_and_sums_a_fork(runner, tmp_path, page) -> None:
    open_page(page, write_page(runner, tmp_path, "x*x + x", "x=3"))
    page.click('[data-action="backward"]')
    assert shown(page, "grad") == {}
    assert "forward pass first" in page.text_content(".status")
    page.click('[data-action="run"]')
    assert shown(page, "grad")[0] == "7.0"
    page.click('[data-action="reset"]')
    for _ in range(3):
        page.click('[data-action="forward"]')
    for _ in range(3):  # seed, then + → x (1), + → x*x
        page.click('[data-action="backward"]')
    assert 0 not in shown(page, "grad")  # two of x's three uses still to come
    assert "fork: 1 of 3 uses summed" in page.text_content(".status")
    page.click('[data-action="backward"]')
    page.click('[data-action="backward"]')
    assert shown(page, "grad")[0] == "7.0"
    assert "3 of 3 uses summed, 7 so far" in page.text_content(".status")


def test_arrow_keys_step_both_passes_and_back(runner, tmp_path, page) -> None:
    open_page(page, write_page(runner, tmp_path, "(x+y)*z", "x=-2", "y=5", "z=-4"))
    for _ in range(5 + 1 + 4):
        page.keyboard.press("ArrowRight")
    assert_agrees(page, grad_json("(x+y)*z", {"x": -2.0, "y": 5.0, "z": -4.0})["nodes"])
    page.keyboard.press("ArrowLeft")
    assert sorted(shown(page, "grad")) == [0, 2, 3, 4]  # the last step, + → y, undone
    assert page.text_content(".status").startswith("backward: #2 → #0 x: upstream -4 × local 1 = -4")
    for _ in range(4 + 2):  # the rest of the backward pass, then two forward steps
        page.keyboard.press("ArrowLeft")
    assert sorted(shown(page, "value")) == [0, 1, 2] and shown(page, "grad") == {}


@pytest.mark.parametrize(
    ("text", "before", "after"),
    [
        ("(x+y)*z", {"x": -2.0, "y": 5.0, "z": -4.0}, {"x": 3.0, "y": -0.5, "z": 1e-3}),
        ("1/(1+exp(-(w0*x0+w1*x1+w2)))", LECTURE["neuron"][1], {**LECTURE["neuron"][1], "w1": 0.25, "x1": 4.0}),
        # kinks and ties: relu'(0) = 0, abs'(0) = 0, ties split evenly
        ("relu(x) + abs(y) + max(x, y, z) * min(x, x)", {"x": 1.0, "y": 2.0, "z": 3.0}, {"x": 0.0, "y": 0.0, "z": 0.0}),
        ("max(x, x) + relu(x - y)", {"x": 1.0, "y": 2.0}, {"x": 2.0, "y": 2.0}),
    ],
    ids=["add-mul", "neuron", "kinks", "ties"],
)
def test_changing_an_input_recomputes_to_grad_json_there(runner, tmp_path, page, text, before, after) -> None:
    open_page(page, write_page(runner, tmp_path, text, *assignments(before)))
    page.click('[data-action="run"]')
    assert_agrees(page, grad_json(text, before)["nodes"])
    for name, value in after.items():
        page.fill(f'input[data-var="{name}"]', repr(value))
    assert_agrees(page, grad_json(text, after)["nodes"])


def test_a_point_outside_the_domain_says_so_and_shows_no_numbers(runner, tmp_path, page) -> None:
    open_page(page, write_page(runner, tmp_path, "log(x) * y", "x=2", "y=3"))
    page.click('[data-action="run"]')
    page.fill('input[data-var="x"]', "-1")
    assert shown(page, "value") == {} and shown(page, "grad") == {}
    assert "log needs a positive argument" in page.text_content(".status")
    page.fill('input[data-var="x"]', "0x10")  # not a decimal number, as on the command line
    assert page.get_attribute('input[data-var="x"]', "aria-invalid") == "true"
    assert "not a finite decimal number" in page.text_content(".status")
    page.fill('input[data-var="x"]', "4")
    assert_agrees(page, grad_json("log(x) * y", {"x": 4.0, "y": 3.0})["nodes"])


def test_without_values_the_inputs_start_empty(runner, tmp_path, page) -> None:
    open_page(page, write_page(runner, tmp_path, "x * y"))
    page.click('[data-action="run"]')
    assert shown(page, "value") == {}
    assert "x: give it a value" in page.text_content(".status")
    page.fill('input[data-var="x"]', "2")
    page.fill('input[data-var="y"]', "-3")
    page.click('[data-action="run"]')
    assert_agrees(page, grad_json("x * y", {"x": 2.0, "y": -3.0})["nodes"])


def test_clicking_a_node_shows_its_details(runner, tmp_path, page) -> None:
    open_page(page, write_page(runner, tmp_path, "(x+y)*z", "x=-2", "y=5", "z=-4"))
    page.click('[data-action="run"]')
    page.click('[data-node="4"]')
    details = page.text_content(".details")
    assert "#4 * mul · switcher" in details and "op: mul (switcher)" in details
    assert "value: -12" in details and "∂f/∂#4: 1" in details
    assert "toward #2 x + y: b = -4" in details and "toward #3 z: a = 3" in details
    page.focus('[data-node="3"]')  # from the keyboard
    page.keyboard.press("Enter")
    assert page.text_content(".details h2") == "#3 z"


def test_the_page_makes_no_network_request(runner, tmp_path, page) -> None:
    path = write_page(runner, tmp_path, "1/(1+exp(-(w0*x0+w1*x1+w2)))", *assignments(LECTURE["neuron"][1]))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda w: requests.append(w.url))
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    open_page(page, path)
    page.click('[data-action="run"]')
    page.click('[data-node="3"]')
    page.fill('input[data-var="w0"]', "1.5")
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(200)
    assert requests == [path.as_uri()]
    policy = page.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content")
    assert policy.startswith("default-src 'none';")
    # the policy holds: a script or an image that found its way in would not run or load
    page.evaluate(
        """() => { const s = document.createElement("script"); s.textContent = "window.hacked = 1";
        document.body.append(s); const i = document.createElement("img"); i.src = "https://example.com/x.png";
        document.body.append(i); }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.hacked") is None
    assert requests == [path.as_uri(), "https://example.com/x.png"]  # asked for, and then:
    assert failed == ["https://example.com/x.png csp"]  # blocked by the policy before any network
    assert any("Content Security Policy" in e for e in page.errors)  # type: ignore[attr-defined]
    page.errors.clear()  # type: ignore[attr-defined]


HOSTILE = (
    "</script><script>window.hacked=1</script><img src=x onerror='window.hacked=2'> <b>&amp; \"' <!-- ]]> `${1}` \u2028"
)


@pytest.mark.parametrize(
    "text",
    [
        "script * img + onerror * iframe - style",
        "_ * __proto__ + constructor * toString - hasOwnProperty",
        "x\n* 2",
    ],
    ids=["html-names", "javascript-names", "line-break"],
)
def test_names_are_text(runner, tmp_path, page, text) -> None:
    graph = cgcli.parse(text)
    point = {name: float(k + 1) for k, name in enumerate(graph.variables)}
    open_page(page, write_page(runner, tmp_path, text, *assignments(point)))
    page.click('[data-action="run"]')
    # only the page's own style sheet
    assert page.eval_on_selector_all("img, iframe, object, embed, b, style", "els => els.length") == 1
    assert page.text_content("header code") == text
    assert_agrees(page, grad_json(text, point)["nodes"])


def test_a_comment_in_the_program_stays_text(runner, tmp_path, page) -> None:
    text = f"q = x + 1  # {HOSTILE}\nL = q * x  # -->"
    open_page(page, write_page(runner, tmp_path, text, "x=2"))
    page.click('[data-action="run"]')
    assert page.evaluate("window.hacked") is None
    assert page.eval_on_selector_all("img, iframe, object, embed, b", "els => els.length") == 0
    assert page.text_content("header code") == text
    assert_agrees(page, grad_json(text, {"x": 2.0})["nodes"])


def test_names_from_a_program_label_their_nodes(runner, tmp_path, page) -> None:
    text = "q = x + y; L = q * z"
    point = {"x": -2.0, "y": 5.0, "z": -4.0}
    open_page(page, write_page(runner, tmp_path, text, *assignments(point)))
    page.click('[data-action="run"]')
    assert page.text_content('[data-node="2"] text') == "q: + add"
    assert page.text_content('[data-node="4"] text') == "L: * mul"
    assert page.text_content("#out text") == "L"
    page.click('[data-node="4"]')
    details = page.text_content(".details")
    assert "L: * mul · switcher" in details and "q * z" in details and "∂L/∂#4: 1" in details
    assert "∂L/∂node" in page.text_content(".legend")
    assert_agrees(page, grad_json(text, point)["nodes"])


def test_no_text_can_inject_markup(tmp_path, page) -> None:
    """Every text of the graph that reaches the page, made hostile: the source, captions, expressions, names."""
    from cgcli.present.html import graph_page

    graph = cgcli.parse("x * 2 + x")
    graph.source = HOSTILE
    graph.leaf_text[0] = HOSTILE  # the caption and expression texts of every node above it
    graph.names[2] = HOSTILE  # a name, as a program gives one (the parser allows only identifiers)
    graph.reset_texts()
    path = tmp_path / "hostile.html"
    path.write_bytes(graph_page(graph, cgcli.evaluate(graph, {"x": 1.5})))
    raw = path.read_text(encoding="utf-8")
    assert "<img" not in raw and "<b>" not in raw and raw.count("<script") == 2  # the data and the script
    open_page(page, path)
    page.click('[data-action="run"]')
    page.click('[data-node="0"]')
    page.click('[data-node="3"]')
    assert page.evaluate("window.hacked") is None
    assert page.eval_on_selector_all("img, iframe, object, embed, b", "els => els.length") == 0
    assert page.text_content("header code") == HOSTILE
    assert HOSTILE in page.text_content(".details")
    assert shown(page, "grad")[0] == "3.0"


def random_expression(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.2:
        return rng.choice(["x", "y", "z", "x", "y", "2", "0.5", "pi"])
    kind = rng.random()
    a = random_expression(rng, depth - 1)
    if kind < 0.45:
        return f"({a} {rng.choice('+-*/^')} {random_expression(rng, depth - 1)})"
    if kind < 0.55:
        return f"-{a}"
    if kind < 0.65:
        return f"{rng.choice(['max', 'min'])}({a}, {random_expression(rng, depth - 1)}, {a})"
    unary = sorted(name for name, op in cgcli.core.ops.FUNCTIONS.items() if op.arity == 1)
    return f"{rng.choice(unary)}({a})"


def random_cases(seed: int, count: int) -> Iterator[tuple[str, list[dict[str, float]]]]:
    """Expressions with a few points inside their domain (drawn again where outside)."""
    rng = random.Random(seed)
    while count:
        text = random_expression(rng, 4)
        graph = cgcli.parse(text)
        points = []
        for _ in range(20):
            point = {name: rng.choice([0.0, 1.0, -1.0, round(rng.uniform(-2, 2), 3)]) for name in graph.variables}
            try:
                cgcli.evaluate(graph, point)
            except cgcli.errors.CgcliError:
                continue
            points.append(point)
            if len(points) == 3:
                break
        if points and graph.variables:
            count -= 1
            yield text, points


@pytest.mark.parametrize("seed", range(4))
def test_random_expressions_agree_with_grad_at_several_points(runner, tmp_path, page, seed) -> None:
    for text, points in random_cases(seed, 5):
        open_page(page, write_page(runner, tmp_path, "--", text, *assignments(points[0])))
        page.click('[data-action="run"]')
        for point in points:
            for name, value in point.items():
                page.fill(f'input[data-var="{name}"]', repr(value))
            reference = cgcli.evaluate(cgcli.parse(text), point)
            pairs = enumerate(zip(reference.value, reference.grad, strict=True))
            nodes = [{"id": i, "value": v, "grad": g} for i, (v, g) in pairs]
            assert_agrees(page, nodes)


def test_fused_graphs_step_too(runner, tmp_path, page) -> None:
    text, point, *_ = LECTURE["neuron"]
    out = tmp_path / "fused.html"
    result = runner.invoke(cli, ["graph", text, *assignments(point), "--fuse", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    open_page(page, out)
    page.click('[data-action="run"]')
    reference = cgcli.evaluate(cgcli.fuse(cgcli.parse(text)), point)
    assert "σ (fused)" in page.text_content("svg")
    assert shown(page, "grad") == {i: repr(g) for i, g in enumerate(reference.grad)}


def test_a_1000_node_graph_steps_and_agrees(runner, tmp_path, page) -> None:
    text = "sigmoid(" + " + ".join(f"w{i}*x{i}" for i in range(250)) + ")"
    graph = cgcli.parse(text)
    assert len(graph) == 1000
    point = {name: round(0.01 * (k % 7) - 0.03, 2) for k, name in enumerate(graph.variables)}
    path = tmp_path / "big.html"
    path.write_bytes(cgcli.present.html.graph_page(graph, cgcli.evaluate(graph, point)))
    open_page(page, path)
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert sorted(shown(page, "value")) == [0, 1, 2]
    page.click('[data-action="run"]')
    reference = cgcli.evaluate(graph, point)
    pairs = enumerate(zip(reference.value, reference.grad, strict=True))
    assert_agrees(page, [{"id": i, "value": v, "grad": g} for i, (v, g) in pairs])


def test_a_graph_past_the_step_limit_shows_the_static_picture(runner, tmp_path, page, monkeypatch) -> None:
    from cgcli.present import html

    monkeypatch.setattr(html, "STEP_LIMIT", 5)
    path = write_page(runner, tmp_path, "sigmoid(w0*x0 + w1*x1 + w2)", *assignments(LECTURE["neuron"][1]))
    open_page(page, path)
    assert "too large to step through" in page.text_content(".status")
    assert page.eval_on_selector_all("script, input, button", "els => els.length") == 0
    assert "0.73" in page.text_content("svg")  # the static picture, with its values


def test_screenshot_for_the_readme(tmp_path, browser) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs"))
    import make_pictures

    png = make_pictures.page_screenshot(browser, tmp_path)
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
