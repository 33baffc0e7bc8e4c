"""Typed errors.  The library raises them; the CLI turns them into one
message on stderr and the exit code of SPEC.md, in one place."""

from __future__ import annotations

USAGE = 2
DOMAIN = 3


class CgcliError(Exception):
    """Base of every error cgcli reports to a user."""

    exit_code = USAGE


class UsageError(CgcliError):
    """Bad expression, unknown function, missing/unknown variable, bad value (exit 2)."""


class ParseError(UsageError):
    """The expression does not follow the grammar; points at a column.

    Attributes:
        text: the whole expression.
        pos: 0-based offset of the offending character in ``text``.
        reason: what went wrong ("unexpected ')'").
        hint: what would be right ("expected a number, a name or '('").
    """

    def __init__(self, text: str, pos: int, reason: str, hint: str = "", located: bool = True) -> None:
        self.text, self.pos, self.reason, self.hint = text, pos, reason, hint
        #: whether ``reason`` still needs "at line L, column C" (False when it names its places itself)
        self.located = located
        super().__init__(self.render())

    def render(self) -> str:
        """The message with the offending line quoted and a caret under the column."""
        start = self.text.rfind("\n", 0, self.pos) + 1
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end
        line_no = self.text.count("\n", 0, self.pos) + 1
        column = self.pos - start + 1
        # quote a window of the line, so that a 1 MB expression gives a short message
        lo = max(start, self.pos - 40)
        hi = min(end, self.pos + 40)
        quoted = ("…" if lo > start else "") + _printable(self.text[lo:hi]) + ("…" if hi < end else "")
        caret = " " * (self.pos - lo + (lo > start)) + "^"
        where = f"line {line_no}, column {column}" if "\n" in self.text else f"column {column}"
        lines = [f"{self.reason} at {where}" if self.located else self.reason, "  " + quoted, "  " + caret]
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


def _printable(text: str) -> str:
    """Each control or invisible character as one '�' (a tab as a space): the caret still lines
    up, and a pasted \\x1e or \\u2028 cannot split the message into extra lines."""
    return "".join(c if c.isprintable() else " " if c == "\t" else "\ufffd" for c in text)


class EvaluationError(CgcliError):
    """The expression cannot be evaluated where asked (exit 3)."""

    exit_code = DOMAIN


class DomainError(EvaluationError):
    """A node's inputs lie outside its op's domain (exit 3).

    Attributes:
        node: the node's id.
        expr: the node's expression text.
        args: the input values.
        needs: what the op needs ("a positive argument").
    """

    def __init__(self, node: int, expr: str, op: str, args: tuple[float, ...], needs: str) -> None:
        self.node, self.expr, self.op, self.args, self.needs = node, expr, op, args, needs
        shown = ", ".join(number_text(a) for a in args)
        what = "argument is" if len(args) == 1 else "arguments are"
        super().__init__(f"{op} needs {needs}: in {expr} (node {node}) the {what} {shown}")


def number_text(v: float) -> str:
    """A number as a message shows it: shortest round-trip text, "-1" not "-1.0"."""
    return repr(float(v)).removesuffix(".0") if v == v else "nan"
