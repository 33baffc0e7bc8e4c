"""What an outside walk through the installed cgcli found, each pinned as a user meets it."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from cgcli.cli import cli


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cgcli", *args]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=120)


def test_at_nested_too_deeply_is_a_usage_error_not_a_crash() -> None:
    done = run("grad", "x*2", "--at", "-", stdin='{"x": ' + "[" * 5000 + "]" * 5000 + "}")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "cgcli: error: --at standard input is nested too deeply to be an object of values\n"


def test_a_bad_csv_cell_is_named_by_its_column() -> None:
    done = run("grad", "x*y", "--points", "-", "--points-format", "csv", stdin="y,x\n2,abc\n1e999,1\n")
    assert done.returncode == 0
    assert done.stdout.splitlines()[1:] == [
        ",,,\"line 2: the value of x must be a decimal number such as -2, 0.5 or 1e-3, not 'abc'\"",
        ",,,\"line 3: the value of y, '1e999', overflows a double (the largest is about 1.8e308)\"",
    ]


def test_a_json_integer_of_thousands_of_digits_overflows_and_is_valid_json() -> None:
    done = run("grad", "x", "--points", "-", stdin='{"x": 1' + "0" * 5000 + "}\n")
    assert done.stdout == '{"line": 1, "error": "the value of x overflows a double (the largest is about 1.8e308)"}\n'


def test_a_value_for_a_defined_name_says_where_it_came_from(runner) -> None:
    program = "q = x + y; f = q * z"
    result = runner.invoke(cli, ["grad", program, "--at", "-"], input='{"q": 3, "x": 1, "y": 2, "z": 3}')
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "cgcli: error: q is defined at column 1 and also given a value in --at standard input"
    )
    result = runner.invoke(cli, ["grad", program, "x=1", "y=2", "z=3", "q=3"])
    assert "also given a value on the command line" in result.stderr.splitlines()[0]


def test_diff_of_a_constant_says_there_is_nothing_to_differentiate(runner) -> None:
    result = runner.invoke(cli, ["diff", "3"])
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "cgcli: warning: the expression uses no variable: there is nothing to differentiate\n"


def test_limits_messages_point_at_the_page_that_exists(runner) -> None:
    deep = "-" * 5000 + "x"
    result = runner.invoke(cli, ["graph", "--", deep, "--format", "svg"])
    assert result.exit_code == 2 and "see docs/limits.md" in result.stderr


@pytest.mark.parametrize("x", [-1.5, 0.0, 2.0])
def test_diff_python_keeps_grads_domain_for_fractional_powers(runner, x: float) -> None:
    """``(-1.5) ** (1/3)`` is a complex number in Python; grad calls it a domain error, so must the code."""
    result = runner.invoke(cli, ["diff", "x^(1/3) + x^3", "--format", "python"])
    namespace: dict[str, object] = {}
    exec(compile(result.stdout, "<cgcli diff>", "exec"), namespace)  # noqa: S102 - cgcli's own output, not user text
    f = namespace["f"]
    assert callable(f)
    grad = runner.invoke(cli, ["grad", "x^(1/3) + x^3", f"x={x}", "--json"])
    if grad.exit_code == 3:
        with pytest.raises((ValueError, ZeroDivisionError)):
            f(x=x)
    elif x == 0.0:  # grad: the derivative is infinite there; the formula divides by zero
        with pytest.raises((ValueError, ZeroDivisionError)):
            f(x=x)
    else:
        value, derivatives = f(x=x)
        assert isinstance(value, float) and math.isclose(value, x ** (1 / 3) + x**3, rel_tol=1e-12)


def test_an_expression_of_leading_minus_signs_is_told_to_go_after_dashes(runner) -> None:
    result = runner.invoke(cli, ["grad", "-" * 5000 + "x", "x=1"])
    assert result.exit_code == 2
    (message,) = result.stderr.splitlines()
    assert message.endswith("an expression that begins with '-' goes after '--', as in: cgcli grad -- '-x^2' x=3")
    assert len(message) < 200


SLOW = {
    # format: (the first record, its answer (after the header, for CSV), the second record, its answer)
    "jsonl": (
        '{"x": 1}\n',
        ['{"value": 1.0, "gradient": {"x": 1.0}}\n'],
        '{"x": 2}\n',
        '{"value": 2.0, "gradient": {"x": 1.0}}\n',
    ),
    "csv": ("x\n1\n", ["value,d_x,error\n", "1.0,1.0,\n"], "2\n", "2.0,1.0,\n"),
}


@pytest.mark.parametrize("fmt", SLOW)
def test_points_answers_a_slow_producer_as_its_records_come(fmt: str) -> None:
    """``tail -f log | cgcli grad … --points -``: each record's answer comes before the next record does."""
    import select

    first, answers, second, last = SLOW[fmt]
    command = [sys.executable, "-m", "cgcli", "grad", "x", "--points", "-", "--points-format", fmt]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdin is not None and child.stdout is not None
        try:
            child.stdin.write(first)
            child.stdin.flush()
            for answer in answers:
                ready, _, _ = select.select([child.stdout], [], [], 60)
                assert ready, "no answer within 60 s while the producer waits"
                assert child.stdout.readline() == answer
            child.stdin.write(second)
            child.stdin.close()
            assert child.stdout.read() == last
        finally:
            child.kill()
        child.wait(timeout=60)
