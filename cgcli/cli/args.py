"""The command line's own grammar: variables as options, and where the expression comes from.

SPEC.md lets a variable be given as ``--x=-2``, ``--x -2``, ``x=-2`` or
``--var x=-2``, which no option parser knows.  `ExpressionCommand` sorts the
raw arguments before click sees them: options the command declares go to
click untouched, every variable becomes ``--var NAME=VALUE``, and the
expression is passed after ``--`` so that one starting with ``-`` is safe.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterable
from typing import Any

import click

from ..core.number_rule import DECIMAL
from ..core.ops import CONSTANTS
from ..errors import UsageError
from ..language.parser import MAX_LENGTH

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: what a number is, the one rule for every input (ASCII digits only)
_DECIMAL = DECIMAL
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)\Z", re.DOTALL)


class ExpressionCommand(click.Command):
    """A click command whose arguments are ``EXPR`` plus variables in any of SPEC.md's forms."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self._sort(args))

    def _sort(self, args: list[str]) -> list[str]:
        options = {opt: p for p in self.get_params(click.Context(self)) for opt in (*p.opts, *p.secondary_opts)}
        for_click: list[str] = []
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
            if _ASSIGNMENT.match(arg):  # x=3: no expression contains '='
                for_click += ["--var", arg]
                continue
            if arg == "-" or not arg.startswith("-"):
                positional.append(arg)
                continue
            flag, eq, value = arg.partition("=")
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
            if not eq:
                if i >= len(args) or not _can_be_a_value(args[i]):
                    raise UsageError(f"{flag} needs a value, as in {flag}=1.5{_option_hint(name, options)}")
                value = args[i]
                i += 1
            if not _NAME.match(name):
                raise UsageError(f"no such option {flag}{_option_hint(name, options)}")
            for_click += ["--var", f"{name}={value}"]
        if len(positional) > 1:
            raise UsageError(f"unexpected argument {positional[1]!r} after the expression (variables are NAME=VALUE)")
        return for_click + ["--", *positional]


def _can_be_a_value(arg: str) -> bool:
    """Whether ``arg`` may be the value in ``--x VALUE``: not another option or assignment."""
    return not _ASSIGNMENT.match(arg) and (not arg.startswith("--") or bool(_DECIMAL.match(arg)))


def _option_hint(name: str, options: dict[str, Any]) -> str:
    import difflib

    close = difflib.get_close_matches("--" + name, [o for o in options if o.startswith("--")], n=1)
    return f" (or did you mean the option {close[0]}?)" if close else ""


def parse_value(name: str, text: str) -> float:
    """A variable's value: a finite decimal number, else UsageError naming the variable."""
    cleaned = text.strip().replace("\u2212", "-")  # a pasted minus sign is a minus
    if not _DECIMAL.match(cleaned):
        if any(c.isdigit() and not c.isascii() for c in cleaned):
            raise UsageError(
                f"the value of {name} must be written with the ASCII digits 0-9, not {text!r} "
                "(cgcli reads no other script's digits)"
            )
        raise UsageError(f"the value of {name} must be a decimal number such as -2, 0.5 or 1e-3, not {text!r}")
    value = float(cleaned)
    if not math.isfinite(value):
        raise UsageError(f"the value of {name}, {text}, overflows a double (the largest is about 1.8e308)")
    return value


def parse_variables(assignments: Iterable[str]) -> dict[str, float]:
    """``["x=1", "y=-2"]`` -> ``{"x": 1.0, "y": -2.0}``, rejecting bad names, values and clashes."""
    point: dict[str, float] = {}
    for assignment in assignments:
        match = _ASSIGNMENT.match(assignment)
        if not match:
            raise UsageError(f"--var takes NAME=VALUE, not {assignment!r}")
        name, text = match.groups()
        if name in CONSTANTS:
            raise UsageError(f"{name} is a constant and takes no value")
        value = parse_value(name, text)
        if point.get(name, value) != value:
            raise UsageError(f"two different values for {name}: {point[name]:g} and {value:g}")
        point[name] = value
    return point


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
        raise UsageError(f"the expression is longer than {MAX_LENGTH:,} characters, cgcli's limit (see README: Limits)")
    # a byte-order mark (Notepad writes one) is no part of the expression
    return text.removeprefix("\ufeff").strip()
