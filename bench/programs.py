"""Programs and syntax errors: ``python bench/programs.py [--quick]``.

Prints two Markdown tables, every ratio measured in the same run:

1. parse speed, µs per token: a program of 100,000 statements (a chain and
   independent sums) against one expression of about as many tokens, and
   Lark's own LALR parse of that expression (the reference cgcli's driver
   replaces);
2. naming a syntax error at the end of a ~1 MB input: cgcli's time to the
   message against a plain parse of the same text without the typo, and
   against Lark parsing the whole text again (what cgcli did before: one run;
   ``--quick`` measures it at a tenth of the size and scales it).

Timings are the best of a few runs; no timing is asserted in the tests.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import best  # noqa: E402

from cgcli.errors import ParseError  # noqa: E402
from cgcli.language import parser  # noqa: E402


def tokens(text: str) -> int:
    """How many tokens the parser is fed (space, comments and dropped line breaks not counted)."""
    driver = parser._tables_driver()
    assert driver is not None, "the LALR tables are stale: python -m cgcli.language.lalr_build"
    return sum(1 for _ in driver._kinds(text, len(text)))


def failing(text: str) -> Callable[[], None]:
    def run() -> None:
        try:
            parser.parse(text)
        except ParseError:
            return
        raise AssertionError("expected a syntax error")

    return run


def lark_again(text: str) -> Callable[[], None]:
    """What cgcli did before: Lark parses the whole text again to name the error."""

    def run() -> None:
        with parser._lock:
            parser._builder.start(text)
            try:
                parser._lark_parse(text)
            except ParseError:
                return
            finally:
                parser._builder.start("")
        raise AssertionError("expected a syntax error")

    return run


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--quick", action="store_true", help="smaller inputs, fewer runs")
    args = options.parse_args()
    n = 20_000 if args.quick else 100_000
    repeat = 2 if args.quick else 3
    parser.parse("x")  # load the tables once, outside the timings

    from lark import Lark

    from cgcli.language.grammar import grammar_text

    lark = Lark(grammar_text(), parser="lalr", lexer="basic")

    expression = " + ".join(f"w{k % 50} * x{k % 7}" for k in range(n))
    workloads = {
        f"expression, {n:,} products summed": expression,
        f"program, {n:,} statements, a chain": "t0 = x\n"
        + "".join(f"t{k}=t{k - 1}*w+y\n" for k in range(1, n))
        + f"L = t{n - 1}",
        f"program, {n:,} statements, independent": "".join(f"s{k}=w{k % 50}*x{k % 7}\n" for k in range(n)) + "L = s0",
    }
    print("## Parse speed\n")
    print("| input | tokens | cgcli parse (s) | µs/token | ratio to the expression |")
    print("| --- | ---: | ---: | ---: | ---: |")
    per_token: dict[str, float] = {}
    for name, text in workloads.items():
        count = tokens(text)
        seconds = best(lambda text=text: parser.parse(text), repeat)
        per_token[name] = seconds / count * 1e6
        ratio = per_token[name] / next(iter(per_token.values()))
        print(f"| {name} | {count:,} | {seconds:.3f} | {per_token[name]:.3f} | {ratio:.2f} |")
    seconds = best(lambda: lark.parse(expression), repeat)
    lark_per_token = seconds / tokens(expression) * 1e6
    print(f"| Lark's LALR parse of the expression (a tree, no graph) | {tokens(expression):,} | {seconds:.3f} ", end="")
    print(f"| {lark_per_token:.3f} | {lark_per_token / next(iter(per_token.values())):.2f} |")

    print("\n## A syntax error at the end of ~1 MB\n")
    size = 1_000_000
    body = " + ".join(f"w{k % 50} * x{k % 7}" for k in range(size // 11))
    print("| typo at the end | size | cgcli names it (s) | a plain parse (s) | ratio | Lark again (s) | ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    plain = best(lambda: parser.parse(body), repeat)
    for typo in [" +", " $", " x", "\n)"]:
        text = body + typo
        seconds = best(failing(text), repeat)
        if args.quick:  # Lark's time is linear in the size: measure a tenth, scale it
            small = body[: len(body) // 10].rsplit(" +", 1)[0] + typo
            again = best(lark_again(small), 1) * len(text) / len(small)
        else:
            again = best(lark_again(text), 1)
        print(
            f"| {typo!r} | {len(text) / 1e6:.2f} MB | {seconds:.2f} | {plain:.2f} | {seconds / plain:.2f} "
            f"| {again:.2f} | {seconds / again:.2f} |"
        )


if __name__ == "__main__":
    main()
