"""Hints for names cgcli does not know, that never change the mathematics.

A hint may fix the spelling or the case of a name (``Exp`` and ``EXP`` are
``exp``, ``sigmiod`` is ``sigmoid``), or name the same function under its
other spelling (``arctan`` is ``atan``, ``sgn`` is ``sign``).  It never
names a *different* function, however close the letters: ``cosh`` is not
``cos``, ``log10`` is not ``log``, ``sqr`` (a square, in many languages) is
not ``sqrt``.  So "close" here is deliberately narrow, not difflib's
similarity:

* the same letters in another case, or with underscores dropped;
* one pair of neighbouring letters swapped (``sqtr``), or one letter typed
  twice (``expp``);
* for the long names only (``sigmoid``, ``softplus``: no other function is
  within one letter of them), one letter wrong, missing or extra.

A few common functions that cgcli lacks are written out in its own terms
instead (``square(x)`` → ``x^2``, ``log1p(x)`` → ``log(1 + x)``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from ..core.ops import CONSTANTS, FUNCTIONS

#: other spellings of the same function (SPEC.md: a suggestion may fix spelling only)
ALIASES = {
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "sine": "sin",
    "cosine": "cos",
    "tangent": "tan",
    "sgn": "sign",
    "signum": "sign",
    "logistic": "sigmoid",
    "expit": "sigmoid",
    "fabs": "abs",
    "absolute": "abs",
    "maximum": "max",
    "minimum": "min",
    "power": "pow",
    "loge": "ln",
    "log_e": "ln",
    "log_2": "log2",
    "log_10": "log10",
}

#: functions cgcli does not have, written out exactly ({a}: the argument, bracketed where needed)
REWRITES = {
    "square": "{a}^2",
    "sqr": "{a}^2 for a square, sqrt({text}) for a square root",  # Pascal's sqr squares, BASIC's takes the root
    "cube": "{a}^3",
    "exp2": "2^{a}",
    "log1p": "log(1 + {text})",
    "expm1": "exp({text}) - 1",
}

#: names at least this long are far from every other function: one edit is a typo
_LONG = 6


def _typos(name: str) -> set[str]:
    """The narrow typo family of ``name``: one swap of neighbours, or one letter typed twice."""
    out = set()
    for i in range(len(name) - 1):
        out.add(name[:i] + name[i + 1] + name[i] + name[i + 2 :])
        if name[i] == name[i + 1]:
            out.add(name[:i] + name[i + 1 :])
    return out


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by one letter replaced, removed or added."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def closest(name: str, known: Iterable[str]) -> str | None:
    """The name ``name`` was surely meant to be, among ``known``, or None.

    Example:
        >>> closest("EXP", ["exp", "log"]), closest("cosh", ["cos"]), closest("sigmiod", ["sigmoid"])
        ('exp', None, 'sigmoid')
    """
    known = set(known)
    if len(name) > 40:  # a 100,000-character name was not a typo
        return None
    plain = name.lower().replace("_", "")
    if plain in known and plain != name:
        return plain
    alias = ALIASES.get(name.lower())
    if alias in known:
        return alias
    for candidate in sorted(_typos(plain) & known):
        return candidate
    long = [k for k in sorted(known) if len(k) >= _LONG and _one_edit(plain, k)]
    return long[0] if len(long) == 1 else None


def function_hint(name: str, args: list[int], text_of: Callable[[int], str]) -> str:
    """The hint under "unknown function NAME": a spelling fix, the same function written out, or the list.

    ``args`` are the call's argument nodes, ``text_of`` gives a node's text.
    """
    close = closest(name, FUNCTIONS)
    if close is not None:
        return f"did you mean {close}?"
    rewrite = REWRITES.get(name.lower())
    if rewrite is not None and len(args) == 1:
        text = text_of(args[0])
        text = text if len(text) <= 30 else "…"
        atom = text if text.replace("_", "").replace(".", "").isalnum() else f"({text})"
        return f"cgcli has no {name}: write {rewrite.format(a=atom, text=text)}"
    if name.lower() in CONSTANTS:
        return f"{name.lower()} is a constant, not a function"
    return "functions: " + ", ".join(sorted(FUNCTIONS))


def call_hint(before: str, operand: str) -> str:
    """For ``sin x`` (text ending in a function's name, then an operand): ``sin(x)``; else ""."""
    word = _TRAILING_NAME.search(before)
    if word is None or word.group() not in FUNCTIONS:
        return ""
    return f"did you mean {word.group()}({operand})? a function's argument goes in parentheses"


_TRAILING_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def split_product(name: str, given: Iterable[str]) -> list[str] | None:
    """``xy`` as ``["x", "y"]`` when it is made of ``names`` (and constants) written together, else None.

    The split with the fewest parts wins; names longer than 40 characters are not split.
    """
    names = set(given)
    parts = names | set(CONSTANTS)
    if len(name) > 40 or not names:
        return None
    # best[i]: the fewest parts that spell name[:i]
    best: list[list[str] | None] = [None] * (len(name) + 1)
    best[0] = []
    for i in range(1, len(name) + 1):
        for j in range(i):
            head = best[j]
            if head is not None and name[j:i] in parts and (best[i] is None or len(head) + 1 < len(best[i] or [])):
                best[i] = [*head, name[j:i]]
    split = best[len(name)]
    if split is None or len(split) < 2 or not any(part in names for part in split):
        return None  # "pie" is a name of its own, not pi*e
    return split
