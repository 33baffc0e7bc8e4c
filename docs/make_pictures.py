"""Draw the README's pictures with cgcli itself.

    python docs/make_pictures.py            # rewrite docs/*.svg, docs/*.dot
    python docs/make_pictures.py --check    # exit 1 if they drifted (tests/test_pictures.py does this)

The DOT source is cgcli's own text and must match exactly.  The SVGs also
depend on Graphviz's and Rich's versions, recorded in docs/pictures.json;
they are compared only where those versions are installed.

docs/page.png is a screenshot of ``graph --format html`` in the middle of
the backward pass, taken in Debian's Chromium through Playwright (never a
downloaded browser); tests/test_page.py takes it the same way.  Pixels
depend on the fonts installed as much as on Chromium, so it is redrawn,
never compared.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

from rich.console import Console

import cgcli
from cgcli.present.browser import CHROMIUM, launch_chromium
from cgcli.present.dot import graph_dot
from cgcli.present.render import render
from cgcli.present.table import grad_view

DOCS = Path(__file__).resolve().parent
NEURON = ("1/(1+exp(-(w0*x0+w1*x1+w2)))", {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0})
ADD_MUL = ("(x+y)*z", {"x": -2.0, "y": 5.0, "z": -4.0})


def graphviz_version() -> str | None:
    if shutil.which("dot") is None:
        return None
    done = subprocess.run(["dot", "-V"], capture_output=True, text=True, check=True)
    return done.stderr.split("version")[1].split()[0]


def pictures() -> dict[str, str | None]:
    """File name -> content (None where the tool that draws it is missing)."""
    text, point = NEURON
    result = cgcli.evaluate(cgcli.parse(text), point)
    dot = graph_dot(result.graph, result, digits=2)
    console = Console(record=True, width=100, file=io.StringIO())
    text, point = ADD_MUL
    console.print(f"$ cgcli grad '{text}' --x=-2 --y=5 --z=-4")
    console.print(grad_view(cgcli.evaluate(cgcli.parse(text), point)))
    return {
        "neuron-graph.dot": dot,
        "neuron-graph.svg": render(dot, "svg").decode() if graphviz_version() else None,
        "grad-table.svg": console.export_svg(title="cgcli grad"),
    }


def page_screenshot(browser: Any, folder: Path) -> bytes:
    """The neuron's page, forward pass done and the backward pass halfway, a node's details open."""
    from cgcli.present.html import graph_page

    text, point = NEURON
    result = cgcli.evaluate(cgcli.parse(text), point)
    path = folder / "neuron.html"
    path.write_bytes(graph_page(result.graph, result, digits=2))
    tab = browser.new_page(viewport={"width": 1100, "height": 640}, device_scale_factor=1)
    try:
        tab.goto(path.as_uri())
        for _ in range(len(result.graph)):
            tab.click('[data-action="forward"]')
        for _ in range(8):  # the seed, then back through the division, the add and exp
            tab.click('[data-action="backward"]')
        tab.click('[data-node="12"]')  # exp: its local gradient e^a, and its gradient
        return tab.screenshot(full_page=True)
    finally:
        tab.close()


def chromium_screenshot() -> bytes | None:
    """page_screenshot in Debian's Chromium, or None without Playwright or Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(CHROMIUM).exists() or graphviz_version() is None:
        return None
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            return page_screenshot(browser, Path(folder))
        finally:
            browser.close()


def versions() -> dict[str, str | None]:
    return {"graphviz": graphviz_version(), "rich": version("rich")}


def drifted() -> list[str]:
    """Names of pictures that differ from what cgcli draws now, with these tools."""
    recorded = json.loads((DOCS / "pictures.json").read_text(encoding="utf-8"))
    now = versions()
    depends = {"neuron-graph.svg": "graphviz", "grad-table.svg": "rich"}
    stale = []
    for name, content in pictures().items():
        tool = depends.get(name)
        if content is None or (tool and recorded[tool] != now[tool]):
            continue  # cannot be compared with the tools installed here
        if (DOCS / name).read_text(encoding="utf-8") != content:
            stale.append(name)
    return stale


def main() -> int:
    if "--check" in sys.argv:
        stale = drifted()
        print("stale: " + ", ".join(stale) if stale else "pictures are current")
        return 1 if stale else 0
    for name, content in pictures().items():
        if content is not None:
            (DOCS / name).write_text(content, encoding="utf-8")
    png = chromium_screenshot()
    if png is not None:
        (DOCS / "page.png").write_bytes(png)
    (DOCS / "pictures.json").write_text(json.dumps(versions(), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
