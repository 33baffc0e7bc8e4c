"""The command line's own grammar: variables as options, and where the expression comes from.

SPEC.md lets a variable be given as ``--x=-2``, ``--x -2``, ``x=-2`` or
``--var x=-2``, which no option parser knows.  `ExpressionCommand` sorts the
raw arguments before click sees them: options the command declares go to
click untouched, every variable becomes ``--var NAME=VALUE``, and the
expression is passed after ``--`` so that one starting with ``-`` is safe.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any

import click

from ..core.graph import Graph
from ..core.number_rule import DECIMAL
from ..core.ops import CONSTANTS
from ..errors import LISTED, UsageError, more_text, name_text, names_text, number_text
from ..language.parser import MAX_LENGTH
from ..language.suggest import closest, split_product

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: what a number is, the one rule for every input (ASCII digits only)
_DECIMAL = DECIMAL
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)\Z", re.DOTALL)
#: what no value holds and a program (f=x*2, q=x+y;f=q*z) may: NAME=... with one of these is the program
_PROGRAM = re.compile(r"[;\n#*/^(),×·⋅÷]|=.*=|\S\s+\S")


class ExpressionCommand(click.Command):
    """A click command whose arguments are ``EXPR`` plus variables in any of SPEC.md's forms."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        for_click, variables = self._sort(args, ctx)
        rest = super().parse_args(ctx, for_click)
        # NOTE: the variables bypass click's parser, which pops each argument from the
        # front of a list: 100,000 of them took seconds (bench/args.py)
        ctx.params["assignments"] = tuple(variables)
        return rest

    def _sort(self, args: list[str], ctx: click.Context) -> tuple[list[str], list[str]]:
        """The arguments for click (options, then ``--`` and the expression), and the variables as NAME=VALUE."""
        # NOTE: ctx, not a fresh Context: only it knows the help options (-h as well as --help)
        options = {opt: p for p in self.get_params(ctx) for opt in (*p.opts, *p.secondary_opts)}
        for_click: list[str] = []
        variables: list[str] = []
        positional: list[str] = []
        i = 0
        while i < len(args):
            arg = args[i]
            i += 1
            if arg == "--":
                # the next argument is the expression, even if it begins with '-';
                # options and variables may still follow it (README: "Arguments")
                if i < len(args) and not positional:
                    positional.append(args[i])
                    i += 1
                continue
            # x=3 is a variable; before the expression, f=x*2 (what no value holds) is the program
            if _ASSIGNMENT.match(arg) and (positional or not _PROGRAM.search(arg)):
                variables.append(arg)
                continue
            if arg == "-" or not arg.startswith("-"):
                positional.append(arg)
                continue
            flag, eq, value = arg.partition("=")
            if flag == "--var":
                if not eq:
                    if i >= len(args):
                        raise UsageError("--var needs NAME=VALUE, as in --var x=1.5")
                    value = args[i]
                    i += 1
                variables.append(value)
                continue
            option = options.get(flag)
            if option is not None:
                for_click.append(arg)
                takes_value = isinstance(option, click.Option) and not option.is_flag and not option.count
                if takes_value and not eq and i < len(args):
                    for_click.append(args[i])
                    i += 1
                continue
            if not flag.startswith("--"):
                raise UsageError(
                    f"unknown option {arg!r}; an expression that begins with '-' goes after '--', "
                    f"as in: cgcli {self.name} -- '-x^2' x=3"
                )
            name = flag[2:]
            if not _NAME.match(name):  # not --NAME: an expression such as --x or ---x (cut short: it may be huge)
                raise UsageError(
                    f"no such option {name_text(flag)}{_option_hint(name, options)}; an expression that begins "
                    f"with '-' goes after '--', as in: cgcli {self.name} -- '-x^2' x=3"
                )
            if not eq:
                if i >= len(args) or not _can_be_a_value(args[i]):
                    raise UsageError(f"{flag} needs a value, as in {flag}=1.5{_option_hint(name, options)}")
                value = args[i]
                i += 1
            variables.append(f"{name}={value}")
        if len(positional) > 1:
            raise UsageError(f"unexpected argument {positional[1]!r} after the expression (variables are NAME=VALUE)")
        return for_click + ["--", *positional], variables


def _can_be_a_value(arg: str) -> bool:
    """Whether ``arg`` may be the value in ``--x VALUE``: not another option or assignment."""
    return not _ASSIGNMENT.match(arg) and (not arg.startswith("--") or bool(_DECIMAL.match(arg)))


def _option_hint(name: str, options: dict[str, Any]) -> str:
    import difflib

    close = difflib.get_close_matches("--" + name, [o for o in options if o.startswith("--")], n=1)
    return f" (or did you mean the option {close[0]}?)" if close else ""


def parse_value(name: str, text: str, notes: list[str] | None = None) -> float:
    """A variable's value: a finite decimal number, else UsageError naming the variable.

    A number too small for a double (``1e-400``) is taken as 0, with a note
    appended to ``notes``: rounding to the nearest double is what reading
    any decimal does, while 1e999 has no double near it at all (an error).
    """
    cleaned = text.strip().replace("\u2212", "-")  # a pasted minus sign is a minus
    if not _DECIMAL.match(cleaned):
        if any(c.isdigit() and not c.isascii() for c in cleaned):
            raise UsageError(
                f"the value of {name} must be written with the ASCII digits 0-9, not {text!r} "
                "(cgcli reads no other script's digits)"
            )
        raise UsageError(
            f"the value of {name} must be a decimal number such as -2, 0.5 or 1e-3, not {text!r}{_instead(cleaned)}"
        )
    value = float(cleaned)
    if not math.isfinite(value):
        raise UsageError(f"the value of {name}, {text}, overflows a double (the largest is about 1.8e308)")
    if value == 0 and notes is not None and _NONZERO.search(cleaned.partition("e")[0].partition("E")[0]):
        notes.append(f"the value of {name}, {text}, is below the smallest double (about 5e-324) and is taken as 0")
    return value


_NONZERO = re.compile(r"[1-9]")
_QUOTIENT = re.compile(r"([^/]+)/([^/]+)\Z")


def _instead(text: str) -> str:
    """For a value written as a constant or a quotient (pi, -e, 1/3): the decimal to write instead."""
    sign, bare = ("-", text[1:]) if text.startswith("-") else ("", text)
    if bare in CONSTANTS:
        return f" (write {sign}{number_text(CONSTANTS[bare])}: a value is a number, not an expression)"
    quotient = _QUOTIENT.match(text)
    if quotient and all(_DECIMAL.match(part.strip()) for part in quotient.groups()):
        numerator, denominator = (float(part) for part in quotient.groups())
        if denominator and math.isfinite(numerator / denominator):
            return f" (write {number_text(numerator / denominator)}: a value is a number, not an expression)"
    return ""


def parse_variables(assignments: Iterable[str], notes: list[str] | None = None) -> dict[str, float]:
    """``["x=1", "y=-2"]`` -> ``{"x": 1.0, "y": -2.0}``, rejecting bad names, values and clashes."""
    point: dict[str, float] = {}
    for assignment in assignments:
        match = _ASSIGNMENT.match(assignment)
        if not match:
            raise UsageError(f"--var takes NAME=VALUE, not {assignment!r}")
        name, text = match.groups()
        if name in CONSTANTS:
            raise UsageError(f"{name} is a constant and takes no value")
        value = parse_value(name, text, notes)
        if point.get(name, value) != value:
            raise UsageError(f"two different values for {name}: {point[name]:g} and {value:g}")
        point[name] = value
    return point


class _Number(str):
    """A JSON number's text, kept as written so that it is read as a value given on the command line is."""


def read_values(at: str | None, assignments: Iterable[str], notes: list[str] | None = None) -> dict[str, float]:
    """The point: ``--at FILE``'s JSON object (``-``: standard input), with the variables given as options over it."""
    point = parse_variables(assignments, notes)
    if at is None:
        return point
    where = "standard input" if at == "-" else at
    try:
        if at == "-":
            if sys.stdin is None:
                raise UsageError("cannot read --at from standard input: it is closed")
            text = sys.stdin.read()
        else:
            with open(at, encoding="utf-8") as f:
                text = f.read()
    except (OSError, UnicodeDecodeError, ValueError) as e:  # ValueError: a NUL in the name
        raise UsageError(f"cannot read --at {where}: {getattr(e, 'strerror', None) or e}") from None
    try:
        document = json.loads(
            text.removeprefix("\ufeff"),
            parse_float=_Number,
            parse_int=_Number,
            parse_constant=_not_a_number,
            object_pairs_hook=_no_repeats,
        )
    except json.JSONDecodeError as e:
        raise UsageError(f"--at {where} is not JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    except RecursionError:  # json's decoder recurses: a document nested thousands deep
        raise UsageError(f"--at {where} is nested too deeply to be an object of values") from None
    if not isinstance(document, dict):
        raise UsageError(f'--at {where} must hold one JSON object of values, as in {{"x": -2, "y": 5}}')
    values: dict[str, float] = {}
    for name, value in document.items():
        if not _NAME.match(name):
            raise UsageError(f"--at {where}: {name[:40]!r} is not a variable name")
        if name in CONSTANTS:
            raise UsageError(f"--at {where}: {name} is a constant and takes no value")
        if not isinstance(value, _Number):
            raise UsageError(f"--at {where}: the value of {name} must be a number, not {json.dumps(value)[:40]}")
        values[name] = parse_value(name, value, notes)
    values.update(point)  # the options win (SPEC.md: merged over the file)
    return values


def _not_a_number(text: str) -> None:
    raise UsageError(f"--at: {text} is not a value (a value is a finite number)")


def _no_repeats(pairs: list[tuple[str, object]]) -> dict[str, object]:
    document: dict[str, object] = {}
    for name, value in pairs:
        if name in document and document[name] != value:
            raise UsageError(f"--at: two different values for {name[:40]}: {document[name]} and {value}")
        document[name] = value
    return document


def check_names(graph: Graph, point: Mapping[str, float], options: Iterable[str], missing: str = "error") -> None:
    """Raise UsageError, with a hint where one is sure, unless ``point`` fits the graph's variables.

    ``missing`` says what a variable without a value means: "error"; "random"
    (an error that mentions --random, for check); "drawn" (check --random draws
    it); "structure" (graph: fine when no value at all is given).
    """
    used = graph.variables
    absent = [name for name in used if name not in point]
    unknown = [name for name in point if name not in used]
    if missing == "drawn" or (missing == "structure" and not point):
        absent = []
    if not absent and not unknown:
        return
    by_case = {name.lower(): name for name in unknown}
    for name in absent:
        slip = by_case.get(name.lower())
        if slip is not None:
            raise UsageError(
                f"the expression uses {name_text(name)}, not {name_text(slip)}: "
                f"did you mean {name_text(name)}={number_text(point[slip])}? (names are case-sensitive)"
            )
    for name in absent:
        parts = split_product(name, point)
        if parts is not None:
            raise UsageError(f"missing value for {name}: did you mean {'*'.join(parts)}? (write * between factors)")
    if absent:
        flags = set(options)
        shown = absent[:LISTED]
        adds = " ".join(f"--var {n}=VALUE" if f"--{n}" in flags else f"--{name_text(n)}=VALUE" for n in shown)
        message = f"missing value for {names_text(absent)}: add {adds}{more_text(absent)}"
        if missing == "random":
            message += ", or --random N to draw random values"
        taken = [n for n in shown if f"--{n}" in flags]
        if taken:
            message += f" ({names_text(['--' + n for n in taken])} {'is' if len(taken) == 1 else 'are'} an option)"
        constants = [(n, c) for n in shown for c in [closest(n, CONSTANTS)] if c is not None]
        if constants:
            message += f" (or did you mean the constant {constants[0][1]}?)"
        raise UsageError(message)
    uses = names_text(list(used)) if used else "no variables"
    raise UsageError(f"the expression does not use {names_text(unknown)} (it uses {uses})")


def read_expression(arg: str | None) -> str:
    """The expression: the argument itself, ``-`` for standard input, or ``@FILE``."""
    if arg is None:
        raise UsageError("missing expression, as in: cgcli grad '(x+y)*z' --x=-2 --y=5 --z=-4")
    if arg == "-":
        if sys.stdin is None:  # the shell closed it: cgcli grad - <&-
            raise UsageError("cannot read the expression from standard input: it is closed")
        try:
            text = sys.stdin.read(MAX_LENGTH + 1)
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"cannot read the expression from standard input: {e}") from None
    elif arg.startswith("@") and len(arg) > 1:
        try:
            with open(arg[1:], encoding="utf-8") as f:
                text = f.read(MAX_LENGTH + 1)
        except (OSError, UnicodeDecodeError, ValueError) as e:  # ValueError: a NUL in the name
            reason = getattr(e, "strerror", None) or e
            raise UsageError(f"cannot read the expression from {arg[1:]}: {reason}") from None
    else:
        return arg
    # checked before strip(): whitespace padding past the limit must not hide (and drop) the rest
    if len(text) > MAX_LENGTH:
        raise UsageError(f"the expression is longer than {MAX_LENGTH:,} characters, cgcli's limit (see docs/limits.md)")
    # a byte-order mark (Notepad writes one) is no part of the expression
    return text.removeprefix("\ufeff").strip()
