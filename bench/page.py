"""The page's cost: ``python bench/page.py [--sizes 15,100,1000,2000]``.

For graphs of a few sizes (the sigmoid neuron, then sums of products
sigmoid(w0*x0 + w1*x1 + …) of about N nodes) it prints a Markdown table:

- export: ``graph --format html`` in-process (Graphviz's layout included),
  beside ``--format svg`` of the same graph, the reference measured in the
  same run (the page's own share is the ratio's excess over 1);
- the file's size, beside the SVG's;
- time to first paint in Chromium (the ``first-contentful-paint`` entry),
  and the script's time for one forward step, one backward step, ``run``
  (both passes shown at once) and an input's recomputation, measured inside
  the page with ``performance.now()``: what a click costs before the
  browser repaints.

Needs Graphviz, Playwright and /usr/bin/chromium (never downloads a browser).
Times are the best of a few runs; the machine may be shared, so compare the
ratios, not the absolute numbers, across runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
# bench/ goes last (Python put it first, as the script's folder): bench/json.py must not
# stand in for the standard library's json, which cgcli.present.html imports
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]
sys.path.insert(0, str(HERE.parent))

from timing import best  # noqa: E402

import cgcli  # noqa: E402
from cgcli.present.browser import launch_chromium  # noqa: E402
from cgcli.present.html import STEP_LIMIT, graph_page  # noqa: E402
from cgcli.present.render import picture  # noqa: E402

NEURON = "1/(1+exp(-(w0*x0+w1*x1+w2)))"


def expression(size: int) -> str:
    if size <= 15:
        return NEURON
    terms = max(1, (size - 2) // 4)  # each term: two variables, a product and an add
    return "sigmoid(" + " + ".join(f"w{i}*x{i}" for i in range(terms)) + ")"


CLICK = """action => { const t = performance.now();
  document.querySelector('[data-action="' + action + '"]').click(); return performance.now() - t; }"""
TYPE = """() => { const t = performance.now(); const i = document.querySelector('input[data-var]');
  i.value = String(Number(i.value) + 0.125); i.dispatchEvent(new Event('input')); return performance.now() - t; }"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="15,100,1000,2000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as p:
        browser = launch_chromium(p)
        for size in sizes:
            graph = cgcli.parse(expression(size))
            result = cgcli.evaluate(graph, {name: 0.5 for name in graph.variables})
            page_time = best(lambda: graph_page(graph, result, 3), 2)  # noqa: B023
            svg_time = best(lambda: picture(graph, result, "svg", 3), 2)  # noqa: B023
            data = graph_page(graph, result, 3)
            svg = picture(graph, result, "svg", 3)
            path = Path(folder) / f"page{size}.html"
            path.write_bytes(data)
            paints, steps = [], {"forward": [], "backward": [], "run": [], "input": []}
            for _ in range(3):
                tab = browser.new_page()
                tab.goto(path.as_uri())
                # polled: the page's policy forbids the eval behind Playwright's wait_for_function
                for _ in range(100):
                    fcp = tab.evaluate(
                        "() => performance.getEntriesByName('first-contentful-paint').map(e => e.startTime)[0] || null"
                    )
                    if fcp is not None:
                        break
                    tab.wait_for_timeout(50)
                paints.append(fcp if fcp is not None else float("nan"))
                if len(graph) <= STEP_LIMIT:
                    steps["forward"].append(tab.evaluate(CLICK, "forward"))
                    steps["run"].append(tab.evaluate(CLICK, "run"))
                    steps["input"].append(tab.evaluate(TYPE))
                    tab.evaluate(CLICK, "reset")
                    for _ in range(len(graph)):
                        tab.evaluate("document.querySelector('[data-action=\"forward\"]').click()")
                    tab.evaluate(CLICK, "backward")
                    steps["backward"].append(tab.evaluate(CLICK, "backward"))
                tab.close()
            stepped = len(graph) <= STEP_LIMIT
            rows.append(
                [
                    f"{len(graph):,}",
                    f"{page_time * 1000:.0f} ms",
                    f"{svg_time * 1000:.0f} ms",
                    f"{page_time / svg_time:.2f}",
                    f"{len(data) / 1024:.0f} KiB",
                    f"{len(svg) / 1024:.0f} KiB",
                    f"{min(paints):.0f} ms",
                    *(f"{min(steps[k]):.1f} ms" if stepped else "static" for k in steps),
                ]
            )
        browser.close()
    head = ["nodes", "html export", "svg export", "ratio", "page size", "svg size", "first paint"]
    head += ["forward step", "backward step", "run", "input"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
