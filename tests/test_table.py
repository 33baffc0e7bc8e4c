"""The ``grad`` table: blank cells where no gradient flows, and a layout that fits the terminal.

Rendered on a fixed-width, colourless console (as rich's own tests do) and
compared line for line; the lecture's examples must fit 80 columns.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from rich.console import Console

import cgcli
from cgcli.cli import cli
from cgcli.present.table import grad_view
from tests.conftest import LECTURE

LEGEND = "local: ∂node/∂input, per input #id · grad: ∂f/∂node · blank: nothing flows back"


def rendered(text: str, point: dict[str, float], width: int, digits: int = 6) -> list[str]:
    console = Console(width=width, file=io.StringIO(), color_system=None, highlight=False, markup=False)
    console.print(grad_view(cgcli.evaluate(cgcli.parse(text), point), digits))
    return console.file.getvalue().splitlines()  # type: ignore[attr-defined]


def test_constants_show_no_gradient() -> None:
    assert rendered("x**2", {"x": 3.0}, 80) == [
        "f = x ^ 2",
        "┏━━━━┳━━━━━━━┳━━━━━━━┳━━━━━━━┳━━━━━━━┳━━━━━━┳━━━━━━┓",
        "┃ id ┃ expr  ┃ op    ┃ value ┃ local ┃ grad ┃ role ┃",
        "┡━━━━╇━━━━━━━╇━━━━━━━╇━━━━━━━╇━━━━━━━╇━━━━━━╇━━━━━━┩",
        "│  0 │ x     │ var   │     3 │       │    6 │      │",
        "│  1 │ 2     │ const │     2 │       │      │      │",
        "│  2 │ x ^ 2 │ pow   │     9 │ #0: 6 │    1 │      │",
        "└────┴───────┴───────┴───────┴───────┴──────┴──────┘",
        LEGEND,
        "f = 9",
        "∂f/∂x = 6",
    ]


@pytest.mark.parametrize("text, point", [("x^3", {"x": -2.0}), ("2^3^2", {}), ("x*(2+3)", {"x": 1.0})])
def test_no_constant_cell_shows_a_number_that_is_not_used(text: str, point: dict[str, float]) -> None:
    lines = rendered(text, point, 140)
    assert not any("nan" in line for line in lines)
    graph = cgcli.parse(text)
    for i in graph.constant_ids - {graph.output}:
        row = next(line for line in lines if line.startswith(f"│ {i:>2} │"))
        assert row.split("│")[5:7] == [" " * len(row.split("│")[5]), " " * len(row.split("│")[6])], row


def test_the_json_keeps_the_numbers(runner) -> None:
    import json

    doc = json.loads(runner.invoke(cli, ["grad", "x**2", "x=3", "--json"]).stdout)
    assert doc["nodes"][1]["grad"] == pytest.approx(9.887510598012987)
    assert doc["nodes"][2]["local"][1] == pytest.approx(9.887510598012987)


NEURON_80 = [
    "f = 1 / (1 + exp(-(w0 * x0 + w1 * x1 + w2)))",
    "┏━━━━┳━━━━━━━━━━┳━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━━━━┓",
    "┃ id ┃ expr     ┃ op    ┃    value ┃ local          ┃      grad ┃ role        ┃",
    "┡━━━━╇━━━━━━━━━━╇━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━┩",
    "│  0 │ 1        │ const │        1 │                │           │             │",
    "│  1 │ 1        │ const │        1 │                │           │             │",
    "│  2 │ w0       │ var   │        2 │                │ -0.196612 │             │",
    "│  3 │ x0       │ var   │       -1 │                │  0.393224 │             │",
    "│  4 │ w0 * x0  │ mul   │       -2 │ #2: -1, #3: 2  │  0.196612 │ switcher    │",
    "│  5 │ w1       │ var   │       -3 │                │ -0.393224 │             │",
    "│  6 │ x1       │ var   │       -2 │                │ -0.589836 │             │",
    "│  7 │ w1 * x1  │ mul   │        6 │ #5: -2, #6: -3 │  0.196612 │ switcher    │",
    "│  8 │ #4 + #7  │ add   │        4 │ #4: 1, #7: 1   │  0.196612 │ distributor │",
    "│  9 │ w2       │ var   │       -3 │                │  0.196612 │             │",
    "│ 10 │ #8 + w2  │ add   │        1 │ #8: 1, #9: 1   │  0.196612 │ distributor │",
    "│ 11 │ -#10     │ neg   │       -1 │ #10: -1        │ -0.196612 │             │",
    "│ 12 │ exp(#11) │ exp   │ 0.367879 │ #11: 0.367879  │ -0.534447 │             │",
    "│ 13 │ 1 + #12  │ add   │  1.36788 │ #12: 1         │ -0.534447 │ distributor │",
    "│ 14 │ 1 / #13  │ div   │ 0.731059 │ #13: -0.534447 │         1 │             │",
    "└────┴──────────┴───────┴──────────┴────────────────┴───────────┴─────────────┘",
    LEGEND,
]


def test_the_neuron_fits_80_columns() -> None:
    text, point, _, _ = LECTURE["neuron"]
    assert rendered(text, point, 80)[: len(NEURON_80)] == NEURON_80


@pytest.mark.parametrize("width", [80, 100, 140])
@pytest.mark.parametrize("name", list(LECTURE))
def test_the_lecture_examples_fit_without_losing_a_number(name: str, width: int) -> None:
    text, point, _, _ = LECTURE[name]
    lines = rendered(text, point, width)
    assert max(len(line) for line in lines) <= width
    result = cgcli.evaluate(cgcli.parse(text), point)
    rows = [line for line in lines if line.startswith("│")]
    assert len(rows) == len(result.graph)  # one line a row: nothing wrapped
    assert not any("…" in row for row in rows)  # nothing cut
    for i, g in enumerate(result.grad):
        if i not in result.graph.constant_ids:
            assert f"{g:.6g}" in rows[i]


def test_wide_enough_prints_every_expression_whole() -> None:
    text, point, _, _ = LECTURE["neuron"]
    lines = rendered(text, point, 140)
    assert "│ 14 │ 1 / (1 + exp(-(w0 * x0 + w1 * x1 + w2))) │ div   │" in lines[-11 - 6] or any(
        "1 / (1 + exp(-(w0 * x0 + w1 * x1 + w2))) │ div" in line for line in lines
    )
    assert not any("#13 " in line.split("│")[2] for line in lines if line.startswith("│"))


def test_at_100_columns_only_what_does_not_fit_is_written_over_ids() -> None:
    text, point, _, _ = LECTURE["neuron"]
    rows = [line.split("│")[2].strip() for line in rendered(text, point, 100) if line.startswith("│")]
    assert rows[11] == "-(w0 * x0 + w1 * x1 + w2)"
    assert rows[12:] == ["exp(#11)", "1 + #12", "1 / #13"]


def test_add_mul_fits_80_columns_whole() -> None:
    text, point, _, _ = LECTURE["add-mul"]
    lines = rendered(text, point, 80)
    assert lines[1:3] == [
        "┏━━━━┳━━━━━━━━━━━━━┳━━━━━┳━━━━━━━┳━━━━━━━━━━━━━━━┳━━━━━━┳━━━━━━━━━━━━━┓",
        "┃ id ┃ expr        ┃ op  ┃ value ┃ local         ┃ grad ┃ role        ┃",
    ]
    assert max(map(len, lines)) < 80


def test_a_very_long_expression_is_cut_with_an_ellipsis() -> None:
    text = "max(" + ", ".join(f"variable_number_{k}" for k in range(6)) + ")"
    point = {f"variable_number_{k}": float(k) for k in range(6)}
    lines = rendered(text, point, 80)
    assert max(map(len, lines)) <= 80
    last = next(line for line in lines if line.startswith("│  6 │"))
    assert "│ max(variable_number_0, variable_number_1,… │ max │" in last


@pytest.mark.parametrize("columns", ["0", "1", "5", "39", "abc", ""])
def test_a_columns_below_the_minimum_is_ignored(columns: str) -> None:
    env = {**os.environ, "COLUMNS": columns}
    done = subprocess.run(
        [sys.executable, "-m", "cgcli", "grad", "(x+y)*z", "x=-2", "y=5", "z=-4"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    env.pop("COLUMNS")
    plain = subprocess.run(
        [sys.executable, "-m", "cgcli", "grad", "(x+y)*z", "x=-2", "y=5", "z=-4"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout == plain.stdout
    assert "│  4 │ (x + y) * z │ mul │   -12 │ #2: -4, #3: 3 │    1 │ switcher    │" in done.stdout


def test_columns_at_the_minimum_is_honoured() -> None:
    env = {**os.environ, "COLUMNS": "60"}
    text, point, _, _ = LECTURE["neuron"]
    done = subprocess.run(
        [sys.executable, "-m", "cgcli", "grad", text, *(f"{k}={v}" for k, v in point.items())],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert max(len(line) for line in done.stdout.splitlines()) <= 60


def test_a_tie_does_not_say_the_whole_gradient_goes_to_one_input(runner) -> None:
    tie = runner.invoke(cli, ["grad", "max(x, x)", "x=1"]).stdout
    assert "whole upstream gradient" not in tie
    assert (
        "router: max/min gates send the upstream gradient to the winning input, 0 to the rest; tied winners split"
        " it evenly" in tie.splitlines()
    )
    no_tie = runner.invoke(cli, ["grad", "max(x, y)", "x=1", "y=2"]).stdout
    assert "router: max/min gates send the whole upstream gradient to the winning input, 0 to the rest" in no_tie


# -- the pictures leave edges out of constants unlabelled by gradients ----------


def test_pictures_draw_no_gradient_out_of_a_constant(runner) -> None:
    mermaid = runner.invoke(cli, ["graph", "x^2", "x=3", "--format", "mermaid"]).stdout
    assert '  n1 -->|"value 2"| n2' in mermaid.splitlines()
    assert '  n0 -->|"value 3 / grad 6"| n2' in mermaid.splitlines()
    dot = runner.invoke(cli, ["graph", "x^2", "x=3", "--format", "dot"]).stdout
    (constant_edge,) = [line for line in dot.splitlines() if line.startswith("  n1 -> n2 ")]
    assert '<tr><td><font color="#1a7f37">2</font></td></tr></table>' in constant_edge  # its box: the value only
    assert constant_edge.count("<tr>") == 1 and "#cf222e" not in constant_edge
    tree = runner.invoke(cli, ["graph", "x^2", "x=3"]).stdout.splitlines()
    assert tree == ["#2 ^ pow  value 9  grad 1", "├── #0 x  value 3  grad 6", "└── #1 2  value 2"]
