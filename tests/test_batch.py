"""``grad --points`` and `cgcli.evaluators.batch`: many points give exactly what one-point ``grad`` gives."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cgcli import evaluate, parse
from cgcli.cli import cli
from cgcli.errors import DomainError, UsageError
from cgcli.evaluators.batch import CHUNK, evaluate_arrays
from tests.conftest import LECTURE

# every op row, kinks and ties included, over variables of both signs
EXPRESSIONS = [
    "(x+y)*z",
    "1/(1+exp(-(x*y+z)))",
    "sigmoid(x*y+z)",
    "x^2 + y^3 - z^-1 + 2^x",
    "log(x) + sqrt(x) + x^y",
    "sin(x) * cos(y) / tan(z)",
    "tanh(x*20) + relu(y) + abs(z)",
    "max(x, y, z) - min(x, y) + max(x, x)",
    "-x - -y * (x - z)",
    "pi * e * x",
]


def close(a: float, b: float) -> bool:
    """Equal within 1e-12 relative (NumPy's exp and sin may differ from libm's in the last bit)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))


def one_point(text: str, point: dict[str, float]) -> tuple[float, dict[str, float]] | str:
    try:
        result = evaluate(parse(text), point)
    except DomainError as e:
        return str(e)
    return result.output, result.gradient


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_arrays_equal_one_point_results(text: str) -> None:
    graph = parse(text)
    rng = np.random.default_rng(5)
    points = rng.uniform(-3, 3, size=(200, len(graph.variables))).round(2)  # rounding makes ties and zeros
    points[:5] = 0.0
    columns = {name: points[:, k] for k, name in enumerate(graph.variables)}
    batch = evaluate_arrays(graph, columns)
    for k in range(len(points)):
        expected = one_point(text, {name: float(points[k, c]) for c, name in enumerate(graph.variables)})
        if isinstance(expected, str):
            assert batch.errors.get(k) == expected
            continue
        assert k not in batch.errors
        value, gradient = expected
        assert close(float(batch.value[k]), value), (k, value)
        for name, g in gradient.items():
            assert close(float(batch.gradient[name][k]), g), (k, name, g, batch.gradient[name][k])


@pytest.mark.parametrize("name", LECTURE)
def test_the_lecture_examples_in_a_batch(name: str) -> None:
    text, point, value, gradient = LECTURE[name]
    batch = evaluate_arrays(parse(text), {k: [v, v] for k, v in point.items()})
    assert batch.value.tolist() == pytest.approx([value, value], abs=1e-9)
    for k, g in gradient.items():
        assert batch.gradient[k].tolist() == pytest.approx([g, g], abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-50, 50, allow_nan=False), min_size=2, max_size=2))
def test_neuron_agrees_everywhere(xy: list[float]) -> None:
    text = "1/(1+exp(-(x*y+x)))"
    batch = evaluate_arrays(parse(text), {"x": [xy[0]], "y": [xy[1]]})
    expected = one_point(text, {"x": xy[0], "y": xy[1]})
    assert not isinstance(expected, str)
    assert close(float(batch.value[0]), expected[0])
    assert all(close(float(batch.gradient[n][0]), g) for n, g in expected[1].items())


def test_more_points_than_a_chunk() -> None:
    n = CHUNK * 2 + 7
    x = np.linspace(-2, 2, n)
    x[CHUNK + 3] = -3.0  # a failing point in the second slice keeps its own index
    batch = evaluate_arrays(parse("sqrt(x+1.5)"), {"x": x})
    assert sorted(batch.errors) == [k for k in range(n) if x[k] + 1.5 < 0]
    assert batch.errors[CHUNK + 3].endswith("the argument is -1.5")
    assert math.isnan(batch.value[CHUNK + 3]) and math.isnan(batch.gradient["x"][CHUNK + 3])
    assert close(float(batch.gradient["x"][-1]), 0.5 / math.sqrt(3.5))


def test_api_checks_its_columns() -> None:
    with pytest.raises(UsageError, match="missing value for y"):
        evaluate_arrays(parse("x*y"), {"x": [1.0]})
    with pytest.raises(UsageError, match="same length"):
        evaluate_arrays(parse("x*y"), {"x": [1.0], "y": [1.0, 2.0]})


# -- the command ------------------------------------------------------------


def run_points(runner, text: str, data: str, *options: str):
    return runner.invoke(cli, ["grad", text, "--points", "-", *options], input=data)


def test_jsonl_round_trip_equals_one_point_grad(runner) -> None:
    text, point, _, _ = LECTURE["neuron"]
    points = [point, {k: v * 0.5 for k, v in point.items()}, {k: -v for k, v in point.items()}]
    result = run_points(runner, text, "".join(json.dumps(p) + "\n" for p in points))
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == len(points)
    for record, p in zip(records, points, strict=True):
        single = runner.invoke(cli, ["grad", text, *(f"--{k}={v!r}" for k, v in p.items()), "--json"])
        expected = json.loads(single.stdout)
        assert close(record["value"], expected["value"])
        assert record["gradient"].keys() == expected["gradient"].keys()
        assert all(close(record["gradient"][k], g) for k, g in expected["gradient"].items())


def test_a_bad_record_in_the_middle(runner) -> None:
    data = '{"x": 1, "y": 2}\n{"x": 1}\n{"x": "a", "y": 1}\nnot json\n{"x": 0, "y": 1}\n{"x": 3, "y": 4}\n'
    result = run_points(runner, "log(x) * y", data)
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records == [
        {"value": 0.0, "gradient": {"x": 2.0, "y": 0.0}},
        {"line": 2, "error": "missing value for y"},
        {"line": 3, "error": 'the value of x must be a finite number, not "a"'},
        {"line": 4, "error": "not valid JSON (at column 1)"},
        {"line": 5, "error": str(DomainError(0 + 1, "log(x)", "log", (0.0,), "a positive argument"))},
        {"value": math.log(3) * 4, "gradient": {"x": 4 / 3, "y": math.log(3)}},
    ]
    assert "4 of 6 records failed (the first on line 2)" in result.stderr


@pytest.mark.parametrize(
    "record, error",
    [
        ('{"x": true, "y": 1}', "the value of x must be a finite number, not true"),
        ('{"x": "1.5", "y": 1}', 'the value of x must be a finite number, not "1.5"'),
        ('{"x": null, "y": 1}', "the value of x must be a finite number, not null"),
        ('{"x": [1], "y": 1}', "the value of x must be a finite number, not an array"),
        ('{"x": 1, "y": 2, "z": 3}', "the expression does not use z"),
        ('{"x": 1, "z": 2}', "missing value for y"),
        ('{"x": NaN, "y": 1}', "not valid JSON (at column 7)"),
        ('{"x": 1e999, "y": 1}', "the value of x overflows a double"),
        ('{"x": ' + "9" * 400 + ', "y": 1}', "the value of x overflows a double"),
        ("[1, 2]", 'expected an object of variable values, like {"x": 1.0, "y": 1.0}'),
        ('"xy"', 'expected an object of variable values, like {"x": 1.0, "y": 1.0}'),
        ("{", "not valid JSON"),
    ],
    ids=["bool", "string", "null", "list", "extra", "missing", "nan", "inf", "huge", "array", "string2", "broken"],
)
def test_one_bad_record_among_good_ones(runner, record: str, error: str) -> None:
    """Each fault that the whole-chunk reading must not let through, and how the line is named."""
    data = '{"x": 1, "y": 2}\n' + record + '\n{"x": 3, "y": 4}\n{"y": 0.5, "x": 2}\n'
    result = run_points(runner, "x * y", data)
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0] == {"value": 2.0, "gradient": {"x": 2.0, "y": 1.0}}
    assert records[1]["line"] == 2 and records[1]["error"].startswith(error)
    assert records[2:] == [
        {"value": 12.0, "gradient": {"x": 4.0, "y": 3.0}},
        {"value": 1.0, "gradient": {"x": 0.5, "y": 2.0}},
    ]


def test_a_chunk_of_nothing_but_bad_records(runner) -> None:
    # found by fuzzing: no good record left nothing to format, and formatting nothing failed
    result = run_points(runner, "x * y", '"\n{}\n')
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["line"] for line in result.stdout.splitlines()] == [1, 2]


def test_blank_lines_only_in_csv(runner) -> None:
    # found by fuzzing: NumPy warned "input contained no data" on standard error
    result = run_points(runner, "x * y", "x,y\n\n\n", "--points-format", "csv")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "value,d_x,d_y,error\n", "")


def test_one_variable_records(runner) -> None:
    result = run_points(runner, "x^2", '{"x": 3}\n{"x": -0.5}\n{"x": 1e-7}\n')
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"value": 9.0, "gradient": {"x": 6.0}},
        {"value": 0.25, "gradient": {"x": -1.0}},
        {"value": 1e-7**2, "gradient": {"x": 2e-7}},
    ]


def test_csv_round_trip_with_an_error_column(runner, tmp_path: Path) -> None:
    path = tmp_path / "points.csv"
    path.write_text("z,x,y\n-4,-2,5\n1,2\n\n3,1,1\n", encoding="utf-8")
    result = runner.invoke(cli, ["grad", "(x+y)*z", "--points", str(path)])
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["value", "d_x", "d_y", "d_z", "error"]
    assert rows[0] == {"value": "-12.0", "d_x": "-4.0", "d_y": "-4.0", "d_z": "3.0", "error": ""}
    assert rows[1]["error"] == "line 3: expected 3 values, got 2" and rows[1]["value"] == ""
    assert [float(rows[2][k]) for k in ("value", "d_x", "d_y", "d_z")] == [6.0, 3.0, 3.0, 2.0]
    assert len(rows) == 3  # the blank line is not a record


def test_csv_header_must_name_the_variables(runner) -> None:
    result = run_points(runner, "x*y", "x,w\n1,2\n", "--points-format", "csv")
    assert result.exit_code == 2
    assert "CSV header must name the expression's variables (x, y)" in result.stderr


def test_non_finite_results_are_strings_in_jsonl(runner) -> None:
    result = run_points(runner, "exp(x)", '{"x": 1000}\n')
    assert json.loads(result.stdout) == {"value": "inf", "gradient": {"x": "inf"}}


def test_non_finite_results_in_csv(runner) -> None:
    result = run_points(runner, "exp(x)", "x\n1000\n1\n-1000\n", "--points-format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ["inf,inf,", "2.718281828459045,2.718281828459045,", "0.0,0.0,"]


def csv_points(rows: int, bad: int | None = None) -> str:
    """A CSV of ``rows`` neuron points over many magnitudes; line ``bad`` (a file line number) broken."""
    rng = np.random.default_rng(7)
    matrix = rng.standard_normal((rows, 5)) * 10.0 ** rng.integers(-3, 3, (rows, 5))
    lines = ["w0,x0,w1,x1,w2", *(",".join(map(repr, r)) for r in matrix.tolist())]
    if bad is not None:
        lines[bad - 1] = "1,2,oops,4,5"
    return "\n".join(lines) + "\n"


def test_csv_numbers_read_back_as_the_doubles_computed(runner) -> None:
    """Every number written reads back as exactly the double computed (and that is within
    1e-12 of one-point grad), in every block."""
    from cgcli.modes.points import BLOCK

    data = csv_points(rows=BLOCK // 60)  # two blocks and more
    assert len(data) > BLOCK
    result = run_points(runner, LECTURE["neuron"][0], data, "--points-format", "csv")
    assert result.exit_code == 0, result.stderr
    out = np.array(
        [
            [float(v) for v in row[:-1]]
            for row in csv.reader(io.StringIO(result.stdout[result.stdout.index("\n") + 1 :]))
        ]
    )
    names = ["w0", "x0", "w1", "x1", "w2"]
    inputs = np.loadtxt(io.StringIO(data), delimiter=",", skiprows=1)
    batch = evaluate_arrays(parse(LECTURE["neuron"][0]), dict(zip(names, inputs.T, strict=True)))
    computed = np.column_stack([batch.value, *(batch.gradient[n] for n in names)])
    assert out.shape == computed.shape
    assert np.array_equal(out, computed, equal_nan=True)  # (a saturated sigmoid: NaN is 0 · inf)
    one = evaluate(parse(LECTURE["neuron"][0]), dict(zip(names, inputs[-1].tolist(), strict=True)))
    assert out[-1].tolist() == pytest.approx([one.output, *(one.gradient[n] for n in names)], rel=1e-12)


def test_a_bad_line_in_a_later_block_is_named_and_the_rest_is_unchanged(runner) -> None:
    from cgcli.modes.points import BLOCK

    rows = BLOCK // 60
    good = run_points(runner, LECTURE["neuron"][0], csv_points(rows), "--points-format", "csv").stdout.splitlines()
    bad_line = rows - 5  # in the last block
    result = run_points(runner, LECTURE["neuron"][0], csv_points(rows, bad_line), "--points-format", "csv")
    assert result.exit_code == 0
    out = result.stdout.splitlines()
    assert (
        out[bad_line - 1]
        == f",,,,,,\"line {bad_line}: the value of w1 must be a decimal number such as -2, 0.5 or 1e-3, not 'oops'\""
    )
    # the same texts for every other line, whichever way its block was read
    assert out[: bad_line - 1] == good[: bad_line - 1] and out[bad_line:] == good[bad_line:]
    assert "1 of" in result.stderr and f"(the first on line {bad_line})" in result.stderr


def test_points_refuse_variables_on_the_command_line(runner) -> None:
    result = run_points(runner, "x*y", '{"x": 1, "y": 2}\n', "--x=1")
    assert result.exit_code == 2 and "--points reads every variable from its records" in result.stderr


def test_a_missing_points_file(runner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["grad", "x", "--points", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2 and "cannot read the points from" in result.stderr


FEED = textwrap.dedent(
    """
    import resource, subprocess, sys, threading
    lines = int(sys.argv[1])
    child = subprocess.Popen(
        [sys.executable, "-m", "cgcli", "grad", "1/(1+exp(-(w0*x0+w1*x1+w2)))",
         "--points", "-", "--points-format", "csv"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )
    def feed():
        block = "".join(f"{k % 7 - 3},{k % 5 - 2},0.5,-1.5,{k % 3}\\n" for k in range(1000)).encode()
        child.stdin.write(b"w0,x0,w1,x1,w2\\n")
        for _ in range(lines // 1000):
            child.stdin.write(block)
        child.stdin.close()
    threading.Thread(target=feed).start()
    count = sum(1 for _ in child.stdout)
    child.wait()
    print(count, child.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    """
)


def peak_rss(lines: int) -> tuple[int, int, int]:
    """Stream ``lines`` CSV records through a pipe into a real cgcli process: (output lines, exit code, peak KiB)."""
    done = subprocess.run([sys.executable, "-c", FEED, str(lines)], capture_output=True, text=True, check=True)
    count, code, peak_kib = map(int, done.stdout.split())
    return count, code, peak_kib


@pytest.mark.slow
def test_constant_memory_on_a_million_lines_through_a_pipe() -> None:
    """1,000,000 CSV lines through a pipe: a record out per record in, and the peak RSS of 100,000 lines."""
    small = peak_rss(100_000)
    large = peak_rss(1_000_000)
    assert small[:2] == (100_001, 0) and large[:2] == (1_000_001, 0)  # the header and a record per record
    # The input is ~25 MB and the output ~60 MB: holding either would show here.  (polars'
    # allocator settles over the first few groups of 65,536 lines: 20-25 MiB of slack seen)
    assert large[2] - small[2] < 40 * 1024, f"peak RSS {small[2]} KiB for 100,000 lines, {large[2]} KiB for 1,000,000"
