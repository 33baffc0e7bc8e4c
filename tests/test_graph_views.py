"""`cgcli graph`: the tree, DOT, Mermaid and rendered pictures."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from rich.console import Console

import cgcli
from cgcli.cli import cli
from cgcli.present.dot import graph_dot
from cgcli.present.mermaid import graph_mermaid
from cgcli.present.tree import DEPTH, graph_tree
from tests.conftest import LECTURE

HAS_DOT = shutil.which("dot") is not None
NEEDS_DOT = pytest.mark.skipif(not HAS_DOT, reason="Graphviz is not installed")


def plain(renderable: object) -> str:
    console = Console(width=100, no_color=True, record=True)
    with console.capture() as capture:
        console.print(renderable)
    return capture.get()


def test_tree_draws_a_fork_once_and_refers_to_it_by_id() -> None:
    result = cgcli.evaluate(cgcli.parse("x*y + x"), {"x": 2.0, "y": 3.0})
    assert plain(graph_tree(result.graph, result)).splitlines() == [
        "#3 + add · distributor  value 8  grad 1",
        "├── #2 * mul · switcher  value 6  grad 1",
        "│   ├── #0 x  value 2  grad 4",
        "│   └── #1 y  value 3  grad 2",
        "└── #0 x  (shared: shown above)",
    ]


def test_tree_without_values_shows_structure(runner) -> None:
    result = runner.invoke(cli, ["graph", "(x+y)*z"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "#4 * mul · switcher",
        "├── #2 + add · distributor",
        "│   ├── #0 x",
        "│   └── #1 y",
        "└── #3 z",
    ]


def dot_edges(text: str) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in re.findall(r"^  n(\d+) -> n(\d+)", text, re.MULTILINE)]


def test_dot_has_every_node_and_edge_with_colours_and_local_gradients() -> None:
    result = cgcli.evaluate(cgcli.parse("(x+y)*z"), {"x": -2.0, "y": 5.0, "z": -4.0})
    text = graph_dot(result.graph, result)
    assert text.startswith("digraph cgcli {") and text.rstrip().endswith("}")
    assert dot_edges(text) == [(0, 2), (1, 2), (2, 4), (3, 4)]
    assert 'n4 [label="* mul · switcher"' in text and 'n2 [label="+ add · distributor"' in text
    # the edge z -> mul: forward value -4 (green), gradient 3 (red), local gradient x+y = 3
    (z_edge,) = [line for line in text.splitlines() if line.startswith("  n3 -> n4")]
    assert '<font color="#1a7f37">-4</font>' in z_edge and '<font color="#cf222e">3</font>' in z_edge
    assert "local 3" in z_edge
    assert "n4 -> out" in text


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz is not installed")
@pytest.mark.parametrize("values", [True, False])
def test_dot_parses_with_graphviz(values: bool) -> None:
    graph = cgcli.parse("1/(1+exp(-(w0*x0+w1*x1+w2))) + max(w0, x0, 1)")
    point = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}
    text = graph_dot(graph, cgcli.evaluate(graph, point) if values else None)
    done = subprocess.run(["dot", "-Tcanon"], input=text, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz is not installed")
def test_a_1000_node_graph_gives_valid_dot() -> None:
    text = "+".join(f"w{i}*x{i}" for i in range(250))
    graph = cgcli.parse(f"sigmoid({text})")
    result = cgcli.evaluate(graph, {name: 0.5 for name in graph.variables})
    dot_text = graph_dot(graph, result)
    assert len(dot_edges(dot_text)) == sum(len(inputs) for inputs in graph.inputs)
    # nop parses and re-prints without laying out: a syntax check that does not take a minute
    done = subprocess.run(["nop"], input=dot_text, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == "", done.stderr


def test_mermaid_structure() -> None:
    result = cgcli.evaluate(cgcli.parse("(x+y)*z"), {"x": -2.0, "y": 5.0, "z": -4.0})
    lines = graph_mermaid(result.graph, result).splitlines()
    assert lines[0] == "flowchart LR"
    assert '  n0(["x"])' in lines and '  n4["* mul · switcher"]' in lines
    assert '  n3 -->|"value -4 / grad 3"| n4' in lines
    assert lines[-1] == '  n4 -->|"value -12 / grad 1"| out'
    assert graph_mermaid(result.graph).splitlines()[-1] == "  n3 --> n4"


def test_graph_dot_and_mermaid_through_the_cli(runner, tmp_path) -> None:
    out = tmp_path / "g.dot"
    result = runner.invoke(cli, ["graph", "(x+y)*z", "--x=-2", "--y=5", "--z=-4", "--format", "dot", "-o", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    assert dot_edges(out.read_text()) == [(0, 2), (1, 2), (2, 4), (3, 4)]
    result = runner.invoke(cli, ["graph", "x*2", "--format", "mermaid"])
    assert result.stdout.startswith("flowchart LR\n")


def test_graph_with_some_values_missing_is_a_usage_error(runner) -> None:
    result = runner.invoke(cli, ["graph", "x*y", "x=1"])
    assert result.exit_code == 2 and "missing value for y" in result.stderr


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz is not installed")
def test_svg_and_png(runner, tmp_path) -> None:
    result = runner.invoke(cli, ["graph", "(x+y)*z", "--x=-2", "--y=5", "--z=-4", "--format", "svg"])
    assert result.exit_code == 0 and "<svg" in result.stdout and "</svg>" in result.stdout
    png = tmp_path / "g.png"
    result = runner.invoke(cli, ["graph", "(x+y)*z", "--format", "png", "-o", str(png)])
    assert result.exit_code == 0 and png.read_bytes().startswith(b"\x89PNG")


def test_svg_without_graphviz_names_the_package(runner, monkeypatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = runner.invoke(cli, ["graph", "x*2", "--format", "svg"])
    assert result.exit_code == 2
    assert "install the graphviz package" in result.stderr and result.stdout == ""


def test_a_deep_tree_continues_below_instead_of_indenting_forever() -> None:
    depth = 3000
    graph = cgcli.parse("exp(" * depth + "x" + ")" * depth)
    lines = plain(graph_tree(graph)).splitlines()
    cut = sum("… continued below" in line for line in lines)
    assert cut == sum("(continued)" in line for line in lines) == depth // DEPTH
    assert len(lines) == depth + 1 + cut  # every node once, and once more where its branch goes on
    assert max(len(line) for line in lines) < 4 * DEPTH + 40  # no O(depth) indentation
    assert lines[-1].endswith("└── #0 x")


def test_grad_explain_says_what_each_role_does(runner) -> None:
    plain_run = runner.invoke(cli, ["grad", "max(x,y)*z", "x=1", "y=2", "z=3"])
    result = runner.invoke(cli, ["grad", "max(x,y)*z", "x=1", "y=2", "z=3", "--explain"])
    assert result.exit_code == 0, result.stderr
    added = result.stdout.splitlines()[len(plain_run.stdout.splitlines()) - 2 :]
    assert added == [
        "router: max/min gates send the whole upstream gradient to the winning input, 0 to the rest",
        "  The local gradient of max(a, b) is 1 toward the largest input and 0 toward the others, so the gradient "
        "flows along the one path that won the forward pass (ties share it evenly).",
        "switcher: mul gates send each input the upstream gradient times the other input",
        "  The local gradient of a * b toward a is b, and toward b is a, so each input receives the upstream "
        "gradient scaled by the other input's value: the values switch places.",
        "Each node's grad is the sum, over the nodes that use it, of their grad times their local gradient toward it "
        "(the chain rule); cgcli grad --steps shows every one of those products.",
    ]


# -- the static pictures' rough edges (issue #12) ------------------------------------------


def test_a_fork_shows_its_summed_gradient_and_the_valued_picture_a_legend() -> None:
    result = cgcli.evaluate(cgcli.parse("x*x + x"), {"x": 3.0})
    text = graph_dot(result.graph, result)
    (x_line,) = [line for line in text.splitlines() if line.startswith("  n0 [")]
    assert '<font color="#cf222e" point-size="10">Σ 7</font>' in x_line  # 3 + 3 + 1
    assert "green: value (forward pass)" in text and "red: gradient ∂f/∂node" in text
    assert "legend" not in graph_dot(result.graph) and "green:" not in graph_dot(result.graph)
    # a node used once has no sum
    assert "Σ" not in "".join(line for line in text.splitlines() if line.startswith("  n2 ["))


def test_each_edge_label_is_a_box_of_its_own() -> None:
    result = cgcli.evaluate(cgcli.parse("1/(1+exp(-(w0*x0+w1*x1+w2)))"), LECTURE["neuron"][1])
    text = graph_dot(result.graph, result, digits=2)
    into_div = [line for line in text.splitlines() if re.match(r"  n\d+ -> n14 ", line)]
    assert len(into_div) == 2
    # one bordered table each: value, gradient and local gradient; out of the constant 1, its value only
    assert [line.count('<table border="1"') for line in into_div] == [1, 1]
    assert sorted(line.count("<tr>") for line in into_div) == [1, 3]


@pytest.mark.parametrize("values", [True, False], ids=["values", "structure"])
def test_both_pictures_have_an_output_node(values: bool) -> None:
    graph = cgcli.parse("(x+y)*z")
    result = cgcli.evaluate(graph, {"x": -2.0, "y": 5.0, "z": -4.0}) if values else None
    text = graph_dot(graph, result)
    assert '  out [label="f", shape=plaintext];' in text
    assert re.search(r"^  n4 -> out\b", text, re.MULTILINE)


def test_dot_text_cannot_break_out_of_its_strings() -> None:
    graph = cgcli.parse("x + 1")
    graph.leaf_text[0] = 'a"b\\n<c>&'
    graph._texts = None
    text = graph_dot(graph)
    assert 'label="a&quot;b&#92;n&lt;c&gt;&amp;"' in text


# -- -o FILE: the format from its extension; written whole or not at all ------------------


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("g.dot", b"digraph cgcli {"),
        ("g.gv", b"digraph cgcli {"),
        ("g.mmd", b"flowchart LR"),
        ("g.txt", b"#2 * mul"),
        ("g.TXT", b"#2 * mul"),
        ("g.out", b"#2 * mul"),  # an extension that names no format: the default, the tree
        pytest.param("g.svg", b"<?xml", marks=NEEDS_DOT),
        pytest.param("g.png", b"\x89PNG", marks=NEEDS_DOT),
        pytest.param("g.html", b"<!DOCTYPE html>", marks=NEEDS_DOT),
    ],
)
def test_o_file_picks_the_format_from_its_extension(runner, tmp_path, name, start) -> None:
    out = tmp_path / name
    result = runner.invoke(cli, ["graph", "x*y", "x=2", "y=3", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert out.read_bytes().startswith(start)


def test_a_format_that_disagrees_with_the_extension_is_a_usage_error(runner, tmp_path) -> None:
    out = tmp_path / "g.svg"
    out.write_bytes(b"before")
    result = runner.invoke(cli, ["graph", "x*y", "--format", "dot", "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == f"cgcli: error: --format dot does not match -o {out}, which names svg: drop one or agree\n"
    assert out.read_bytes() == b"before"
    # agreeing, or an extension that names nothing, is fine
    assert runner.invoke(cli, ["graph", "x", "--format", "dot", "-o", str(tmp_path / "g.dot")]).exit_code == 0
    assert runner.invoke(cli, ["graph", "x", "--format", "dot", "-o", str(tmp_path / "g.txt.bak")]).exit_code == 0


BEFORE = b"an existing file\n\x00\xff"


@pytest.mark.parametrize("fmt", ["tree", "dot", "mermaid", "svg", "png", "html"])
def test_a_failure_leaves_an_existing_file_as_it_was(runner, tmp_path, monkeypatch, fmt) -> None:
    out = tmp_path / "keep.out"
    out.write_bytes(BEFORE)
    # a failure before anything is written: a bad expression
    result = runner.invoke(cli, ["graph", "x*(", "--format", fmt, "-o", str(out)])
    assert result.exit_code == 2 and out.read_bytes() == BEFORE
    # a failure while writing: the disk fills up halfway
    import cgcli.cli.graph as graph_module

    real_fdopen = graph_module.os.fdopen

    class Full:
        def __init__(self, file):
            self.file = file

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, data):
            self.file.write(data[:3])
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(graph_module.os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/dot" if name == "dot" and HAS_DOT else None)
    if fmt in ("svg", "png", "html") and not HAS_DOT:
        pytest.skip("Graphviz is not installed")
    result = runner.invoke(cli, ["graph", "x*y", "x=1", "y=2", "--format", fmt, "-o", str(out)])
    assert out.read_bytes() == BEFORE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.out"]  # no temporary file left behind
    assert result.exit_code != 0


def test_the_written_file_replaces_the_old_one_whole_and_keeps_its_permissions(runner, tmp_path) -> None:
    out = tmp_path / "g.dot"
    out.write_bytes(BEFORE)
    out.chmod(0o640)
    link = tmp_path / "link.dot"
    link.symlink_to(out)
    result = runner.invoke(cli, ["graph", "x+1", "-o", str(link)])
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()  # the link is followed, not replaced
    assert out.read_bytes() == graph_dot(cgcli.parse("x+1")).encode()
    assert out.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.dot", "link.dot"]


def test_o_file_in_a_folder_that_cannot_be_written_is_a_usage_error(runner, tmp_path) -> None:
    result = runner.invoke(cli, ["graph", "x", "-o", str(tmp_path / "missing" / "g.dot")])
    assert result.exit_code == 2 and "cgcli: error:" in result.stderr and result.stdout == ""


def test_a_real_process_that_fails_leaves_the_file_untouched(tmp_path) -> None:
    """Graphviz missing: exit 2 and the old bytes, for -o FILE.svg (issue #14: -o truncated it first)."""
    import os
    import sys

    svg = tmp_path / "keep.svg"
    svg.write_bytes(BEFORE)
    env = {**os.environ, "PATH": "/nonexistent"}
    done = subprocess.run(
        [sys.executable, "-m", "cgcli", "graph", "x", "x=1", "-o", str(svg)], env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 2 and b"install the graphviz package" in done.stderr and done.stdout == b""
    assert svg.read_bytes() == BEFORE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.svg"]


def test_names_from_a_program_label_the_pictures(runner) -> None:
    graph = cgcli.parse("q = x + y; L = q * z")
    result = cgcli.evaluate(graph, {"x": -2.0, "y": 5.0, "z": -4.0})
    for text in (graph_dot(graph, result), graph_dot(graph)):
        assert 'n2 [label="q: + add · distributor"' in text and 'n4 [label="L: * mul · switcher"' in text
        assert '  out [label="L", shape=plaintext];' in text
    assert "red: gradient ∂L/∂node" in graph_dot(graph, result)


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz is not installed")
def test_fuse_draws_one_gate(runner, tmp_path) -> None:
    text, point, *_ = LECTURE["neuron"]
    args = [f"{k}={v}" for k, v in point.items()]
    result = runner.invoke(cli, ["graph", text, *args, "--fuse", "--format", "dot"])
    assert result.exit_code == 0 and "σ (fused)" in result.stdout and "exp" not in result.stdout
