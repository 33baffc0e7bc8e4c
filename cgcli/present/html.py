"""``graph --format html``: one self-contained page that steps through both passes.

The page holds three things, all made here from the validated graph:

- the picture, laid out by Graphviz's ``dot`` as ``--format svg`` is, from a
  DOT text of its own (`page_dot`): each node has room for its value and
  gradient, each edge for the gradient it carries back, and each keeps its
  id (``n3``, ``e3_0``), to which a ``data-node="3"`` hook is added;
- the graph as JSON data (captions, expression texts, ops, formulas), read
  by the script as data and written into the page only as text
  (``textContent``), never as markup;
- the evaluator: straight-line JavaScript generated node by node from each
  op row's ``js`` field (`cgcli.core.ops.JS`), one statement per node for the
  forward pass and one per edge for the backward pass, in the same order as
  `cgcli.core.engine`, so that the page's numbers are ``grad``'s (to the last
  ulp where JavaScript's ``Math`` agrees with the C library; within 1e-12
  relative in any case).  No text the user typed reaches it: only ids,
  constants (as ``repr`` floats) and the op table's own formulas.

The script and the style sheet are package data (``page_math.js``: the
formulas' helpers and number formatting; ``page.js``: the stepping; and
``page.css``) and go inline; a Content-Security-Policy meta tag allows exactly those two
by their SHA-256 hash and nothing else (no request, no other script), so
the page is as safe opened from a mail attachment as from a course site.

Past `STEP_LIMIT` nodes the page says it is too large to step through and
shows the static picture (``--format svg``'s) instead.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from importlib.resources import files

from ..core.engine import Result
from ..core.graph import Graph
from ..core.ops import VARIADIC
from .dot import escape, graph_dot
from .labels import caption, gate
from .render import render

#: the most nodes a page steps through; past it, the page shows the static picture
STEP_LIMIT = 2000

#: up to this many nodes the picture shrinks to the window's width; past it, it scrolls
FIT_LIMIT = 60

_NODE_G = re.compile(r'<g id="n(\d+)" class="node">')
_TITLE = re.compile(r"<title>[^<]*</title>\n?")


def graph_page(graph: Graph, result: Result | None, digits: int = 3) -> bytes:
    """The page for ``graph`` as UTF-8 bytes; its inputs start at ``result``'s point, if any."""
    if len(graph) > STEP_LIMIT:
        return _static_page(graph, result, digits)
    svg = _inline_svg(render(page_dot(graph, digits), "svg").decode("utf-8"))
    data = {
        "source": graph.source,
        "digits": digits,
        "output": graph.output_name,
        "nodes": [_node(graph, i) for i in range(len(graph))],
        "variables": [[name, i] for name, i in graph.variables.items()],
        "steps": [[i, k, j] for i, k, j in _backward_edges(graph)],
    }
    script = "\n".join([evaluator(graph), _asset("page_math.js"), _asset("page.js")])
    body = "\n".join(
        [
            _header(graph),
            _controls(graph, result),
            f'<main><div class="picture{" fit" if len(graph) <= FIT_LIMIT else ""}">',
            svg,
            '</div><aside class="details" aria-live="polite"><p>Click a node to see its op, value and'
            " gradients.</p></aside></main>",
            _legend(graph),
            f'<script type="application/json" id="cgcli-data">{_json(data)}</script>',
        ]
    )
    return _document(graph, body, script)


def page_dot(graph: Graph, digits: int) -> str:
    """DOT for the page's picture: room on every node for two numbers, on every edge for one."""
    # room for a number of ``digits`` digits, its sign and exponent: a no-break space is
    # about half a digit wide in Graphviz's estimate of Helvetica
    room = "&#160;" * (2 * digits + 8)
    lines = [
        "digraph cgcli {",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=12];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for i in range(len(graph)):
        shape = ", shape=plaintext" if graph.ops[i] is None else ""
        lines.append(f'  n{i} [id="n{i}", label="{escape(_gate(graph, i))}\\n{room}\\n{room}"{shape}];')
    for i, inputs in enumerate(graph.inputs):
        for k, j in enumerate(inputs):
            lines.append(f'  n{j} -> n{i} [id="e{i}_{k}", label="{room}"];')
    lines.append(f'  out [id="out", label="{escape(graph.output_name)}", shape=plaintext];')
    lines.append(f'  n{graph.output} -> out [id="eout", label="{room}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def evaluator(graph: Graph) -> str:
    """Straight-line JavaScript for both passes of ``graph``, made from the op table's ``js`` fields.

    ``forwardPass(x)`` takes the variables' values (in order of first use)
    and returns ``{v, L}`` (values, local gradients) or ``{error: id, args}``
    where an input lies outside its op's domain; ``backwardPass(L)`` returns
    ``{g, c}``: every node's gradient and each backward step's contribution,
    in the order of ``data.steps``.
    """
    n = len(graph)
    out = [
        '"use strict";',
        f"const N = {n};",
        "function forwardPass(x) {",
        "  const v = new Array(N), L = new Array(N);",
        "  let a, b, y, args;",
    ]
    for k, i in enumerate(graph.variables.values()):
        out.append(f"  v[{i}] = x[{k}]; L[{i}] = [];")
    for i, c in graph.constants.items():
        out.append(f"  v[{i}] = {_literal(c)}; L[{i}] = [];")
    for i, op in enumerate(graph.ops):
        if op is None:
            continue
        if op.js is None:  # pragma: no cover - every row has one (tests/test_page_evaluator.py)
            raise ValueError(f"op {op.key} has no JavaScript formula")
        inputs = graph.inputs[i]
        if op.arity == VARIADIC:
            take = f"args = [{', '.join(f'v[{j}]' for j in inputs)}];"
            error_args = "args"
        else:
            take = " ".join(f"{letter} = v[{j}];" for letter, j in zip("ab", inputs, strict=False))
            error_args = "[" + ", ".join("ab"[: len(inputs)]) + "]"
        check = f" if (!({op.js.domain})) return {{error: {i}, args: {error_args}}};" if op.js.domain else ""
        local = op.js.local[0] if op.arity == VARIADIC else "[" + ", ".join(op.js.local) + "]"
        out.append(f"  {take}{check} y = {op.js.forward}; v[{i}] = y; L[{i}] = {local};")
    out += ["  return {v, L};", "}", "function backwardPass(L) {", "  const g = new Array(N).fill(0), c = [];"]
    out.append(f"  g[{graph.output}] = 1;")
    for s, (i, k, j) in enumerate(_backward_edges(graph)):
        out.append(f"  c[{s}] = g[{i}] * L[{i}][{k}]; g[{j}] += c[{s}];")
    out += ["  return {g, c};", "}"]
    return "\n".join(out)


def _gate(graph: Graph, i: int) -> str:
    """A node's caption on the page: its name, gate and op (the role is in its details): ``q: + add``."""
    op = graph.ops[i]
    text = gate(graph, i)
    if op is not None and op.symbol:
        text += f" {op.name}"
    return f"{graph.names[i]}: {text}" if i in graph.names else text


def _backward_edges(graph: Graph) -> list[tuple[int, int, int]]:
    """(node, input index, input id) for every edge, in the order the backward pass takes them."""
    return [(i, k, j) for i in range(len(graph) - 1, -1, -1) for k, j in enumerate(graph.inputs[i])]


def _literal(c: float) -> str:
    """A constant as a JavaScript number: Python's repr reads back to the same double."""
    return repr(float(c))


def _node(graph: Graph, i: int) -> dict[str, object]:
    op = graph.ops[i]
    row: dict[str, object] = {
        "caption": caption(graph, i),
        "expr": graph.text(i),
        "op": graph.op_name(i),
        "inputs": list(graph.inputs[i]),
    }
    if op is not None:
        row |= {"role": op.role or "", "formula": list(op.formula), "needs": op.needs}
    return row


def _header(graph: Graph) -> str:
    return f'<header><h1>cgcli graph</h1><p class="expr"><code>{html.escape(graph.source)}</code></p></header>'


def _controls(graph: Graph, result: Result | None) -> str:
    inputs = []
    for name, i in graph.variables.items():
        value = "" if result is None else repr(result.value[i])
        quoted = html.escape(name, quote=True)
        inputs.append(
            f'<label>{quoted} = <input data-var="{quoted}" value="{html.escape(value, quote=True)}"'
            ' inputmode="decimal" spellcheck="false" autocomplete="off" size="10"></label>'
        )
    return (
        '<section class="controls"><div class="inputs">' + "".join(inputs) + '</div><div class="buttons">'
        '<button type="button" data-action="forward" title="one node forward (→)">forward ▸</button>'
        '<button type="button" data-action="backward" title="one edge backward (→ once forward is done)">'
        "◂ backward</button>"
        '<button type="button" data-action="run" title="both passes at once">run both</button>'
        '<button type="button" data-action="reset" title="start again">reset</button>'
        '</div><p class="status" aria-live="polite"></p></section>'
    )


def _legend(graph: Graph) -> str:
    return (
        '<footer class="legend"><span class="value">green: value (forward pass)</span>'
        f'<span class="grad">red: gradient ∂{html.escape(graph.output_name)}/∂node'
        " (backward pass: upstream × local, summed at forks)</span>"
        "<span>→ and ← step through both passes; click a node for its details.</span></footer>"
    )


def _inline_svg(svg: str) -> str:
    """Graphviz's SVG for inlining: no XML prolog or DOCTYPE, and each node's ``data-node`` hook.

    Graphviz's ``<title>`` elements go too: a browser shows them as tooltips,
    and they say only ``n3`` or ``n3&#45;&gt;n5``.
    """
    svg = _TITLE.sub("", svg[svg.index("<svg") :])
    return _NODE_G.sub(lambda m: f'<g id="n{m.group(1)}" class="node" data-node="{m.group(1)}">', svg)


def _json(data: object) -> str:
    """JSON that cannot end the script element it sits in, or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for c, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(c, code)
    return text


def _asset(name: str) -> str:
    return files("cgcli.present").joinpath(name).read_text(encoding="utf-8")


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _document(graph: Graph, body: str, script: str | None) -> bytes:
    """The whole page: a strict policy allowing only this page's own style and script."""
    style = _asset("page.css")
    policy = f"default-src 'none'; style-src {_hash(style)}; img-src data:; base-uri 'none'; form-action 'none'"
    if script is not None:
        policy += f"; script-src {_hash(script)}"
    title = graph.source if len(graph.source) <= 80 else graph.source[:77] + "…"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>cgcli: {html.escape(' '.join(title.split()))}</title>",
        f"<style>{style}</style>",
        "</head><body>",
        body,
    ]
    if script is not None:
        parts.append(f"<script>{script}</script>")
    parts.append("</body></html>")
    return ("\n".join(parts) + "\n").encode("utf-8")


def _static_page(graph: Graph, result: Result | None, digits: int) -> bytes:
    """Past STEP_LIMIT nodes: say so, and show the static picture."""
    svg = _inline_svg(render(graph_dot(graph, result, digits), "svg").decode("utf-8"))
    note = (
        f'<p class="status too-large">This graph has {len(graph):,} nodes: too large to step through '
        f"(a page steps through at most {STEP_LIMIT:,}). This is the static picture"
        f"{' with its values and gradients' if result is not None else ''}.</p>"
    )
    body = "\n".join([_header(graph), note, '<main><div class="picture">', svg, "</div></main>"])
    return _document(graph, body, None)
