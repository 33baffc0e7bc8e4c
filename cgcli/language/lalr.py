"""A small LALR(1) driver over the tables Lark generated for grammar/expr.lark.

Lark stays the reference: the tables are Lark's (`cgcli.lalr_tables`), and
the driver reduces exactly as Lark's LALR parser with an inline transformer
does (filtered anonymous tokens, ``?rule`` single children passed up,
``_rule`` children spliced into their parent, ``[ ]`` placeholders as None).
What it saves is Lark itself on the way: importing it (most of a ``grad``
run's start-up) and its per-token bookkeeping (line and column counting).

Line breaks pass through `cgcli.language.newlines`' rule, as they do through
Lark's postlexer, so both see the same tokens.

At a syntax error it raises `Unexpected` (a `Fallback`), saying where, and
`Driver.accepts` gives the terminals that would have been right, exactly as
Lark's interactive parser would: the caller names the error without a
second parse.  On anything else it does not expect (a rule it has no method
for, tables of another shape) it raises `Fallback`, and the caller parses
the text again with Lark: the driver can make cgcli faster, never different.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from .newlines import NL, separates

_PARENS = {"LPAR": 1, "RPAR": -1}


class Fallback(Exception):
    """The driver stops here; Lark parses the text instead."""


class Unexpected(Fallback):
    """A syntax error, where the driver found it: an unexpected ``character``, ``token`` or ``end``.

    `cgcli.language.parse_errors.describe` turns it into the message Lark's
    error would give: the caller needs no second parse (by Lark, of a
    megabyte, to report a typo at its end).
    """

    def __init__(self, kind: str, pos: int, token_type: str = "", token_text: str = "") -> None:
        super().__init__(f"unexpected {kind} at {pos}")
        self.kind, self.pos, self.token_type, self.token_text = kind, pos, token_type, token_text


class _Rejected(Exception):
    """A token the tables have no action for (`Driver.parse` says which)."""


class Token(str):
    """A terminal's text with its type and offset, like lark.Token (a str as well)."""

    __slots__ = ("type", "start_pos")

    type: str
    start_pos: int

    def __new__(cls, type_: str, value: str, start_pos: int) -> Token:
        token = super().__new__(cls, value)
        token.type = type_
        token.start_pos = start_pos
        return token


class _Inline(list[Any]):
    """The children of a ``_rule``, spliced into the parent's children."""


class Driver:
    """An LALR(1) parser for one set of Lark tables, calling ``builder``'s method per rule alias."""

    def __init__(self, data: dict[str, Any], memo: dict[Any, Any], builder: Any) -> None:
        frontend = data["parser"]
        tables = frontend["parser"]
        names = tables["tokens"]
        rules: dict[int, Any] = {}  # one callback per rule, however many states reduce by it
        #: terminals some rule keeps as a child; the others ("(", "+") are filtered out, so need no Token
        self.kept = {
            symbol["name"]
            for value in memo.values()
            if value.get("__type__") == "Rule"
            for symbol in value["expansion"]
            if symbol["__type__"] == "Terminal" and not symbol.get("filter_out")
        }

        def rule(ref: dict[str, int]) -> Any:
            if ref["@"] not in rules:
                rules[ref["@"]] = self._rule(memo[ref["@"]], builder)
            return rules[ref["@"]]

        # state -> symbol -> (True, next state) to shift, (False, rule) to reduce
        self.states: dict[int, dict[str, tuple[bool, Any]]] = {
            state: {names[k]: (action == 0, arg if action == 0 else rule(arg)) for k, (action, arg) in row.items()}
            for state, row in tables["states"].items()
        }
        #: every terminal (and $END), for `accepts`
        self.terminals = sorted({name for name in names.values() if name == name.upper()})  # rules are lowercase
        self.start = tables["start_states"]["start"]
        self.end = tables["end_states"]["start"]
        lexer = frontend["lexer_conf"]
        if lexer.get("g_regex_flags") or lexer.get("use_bytes"):
            raise Fallback("lexer options the driver does not know")
        terminals = [memo[t["@"]] for t in lexer["terminals"]]
        self.ignore = set(lexer["ignore"])
        terminals.sort(key=_lark_order)  # Lark's basic lexer tries terminals in this order
        self.regex = re.compile("|".join(f"(?P<{t['name']}>{_regexp(t['pattern'])})" for t in terminals))

    def _rule(self, rule: dict[str, Any], builder: Any) -> tuple[str, int, Callable[[list[Any]], Any], bool]:
        """(origin, length, callback, unit) of a rule, the callback building what Lark's transformer would.

        ``unit`` marks a ``?rule`` of one kept symbol (``?sum: product``): its
        value passes up unchanged, so the parser skips the call.
        """
        expansion = rule["expansion"]
        options = rule["options"]
        if options.get("keep_all_tokens"):
            raise Fallback("keep_all_tokens")
        # Lark's ChildFilter: which children to keep, which to splice, and where None placeholders go
        empties = options.get("empty_indices") or ()
        nones_before = [len(ones) for ones in "".join(str(int(b)) for b in empties).split("0")] if empties else []
        if not nones_before:
            nones_before = [0] * (len(expansion) + 1)
        plan: list[tuple[int, bool, int]] = []
        pending = 0
        for i, symbol in enumerate(expansion):
            pending += nones_before[i]
            is_term = symbol["__type__"] == "Terminal"
            if not (is_term and symbol.get("filter_out")):
                plan.append((i, not is_term and symbol["name"].startswith("_"), pending))
                pending = 0
        trailing = pending + nones_before[len(expansion)]
        origin = rule["origin"]["name"]
        method = getattr(builder, rule["alias"] or origin, None)
        expand1 = bool(options.get("expand1")) and not rule["alias"]  # as Lark: an alias always builds
        inline = origin.startswith("_")
        if method is None and not inline and not expand1:
            raise Fallback(f"no builder method for {rule['alias'] or origin}")
        simple = all(not splice and not nones for _, splice, nones in plan) and not trailing
        keep = [i for i, _, _ in plan]

        def callback(values: list[Any]) -> Any:
            if simple:
                children = [values[i] for i in keep]
            else:
                children = []
                for i, splice, nones in plan:
                    children += [None] * nones
                    if splice and isinstance(values[i], _Inline):
                        children += values[i]
                    else:
                        children.append(values[i])
                children += [None] * trailing
            if expand1 and len(children) == 1:
                return children[0]
            if method is not None:
                return method(children)
            if inline:
                return _Inline(children)
            raise Fallback(f"no builder method for {origin}")

        unit = expand1 and simple and keep == [0] and len(expansion) == 1
        return origin, len(expansion), callback, unit

    def parse(self, text: str) -> Any:
        """The value the builder returns for the start rule.

        Raises `Unexpected` at a syntax error, `Fallback` on anything else it does not expect.
        """
        states, kept = self.states, self.kept
        skip = self.ignore | {NL}
        feed = self._feed
        state_stack = [self.start]
        value_stack: list[Any] = []
        pos = 0
        # cgcli.language.newlines' rule, inline: a line break waits for the next token
        # (``pending``, its offset) to know whether it separates statements
        depth, pending = 0, -1
        last: re.Match[str] | None = None
        match = None
        try:
            for match in self.regex.finditer(text):
                if match.start() != pos:
                    raise Unexpected("character", pos)
                pos = match.end()
                kind = match.lastgroup
                assert kind is not None
                if kind in skip:
                    if kind == NL and pending < 0:
                        pending = match.start()
                    continue
                if pending >= 0:
                    if last is not None and separates(depth, last.lastgroup or "", last.group(), kind):
                        try:
                            feed(states, state_stack, value_stack, NL, Token(NL, "\n", pending))
                        except _Rejected:
                            raise Unexpected("token", pending, NL, "\n") from None
                    pending = -1
                if kind in _PARENS:
                    depth += _PARENS[kind]
                last = match
                token = Token(kind, match.group(), match.start()) if kind in kept else kind
                feed(states, state_stack, value_stack, kind, token)
        except _Rejected:
            assert match is not None
            raise Unexpected("token", match.start(), match.lastgroup or "", match.group()) from None
        if pos != len(text):
            raise Unexpected("character", pos)
        try:
            return feed(states, state_stack, value_stack, "$END", None)
        except _Rejected:
            raise Unexpected("end", len(text)) from None

    def accepts(self, text: str, end: int) -> set[str]:
        """The terminals that may follow ``text[:end]`` (valid so far), found by trying each one.

        Only the states are replayed (no builder call), so naming an error
        costs less than the parse that found it.  An LALR parser may reduce
        on a token it then rejects, so the states at the error are not the
        ones to ask: the replay stops before the offending token.
        """
        stack = [self.start]
        states = self.states
        for kind in self._kinds(text, end):
            # _shifts, inline: this loop runs once a token
            while True:
                action = states[stack[-1]].get(kind)
                if action is None:  # cannot happen: the parse went past here
                    return set()
                if action[0]:
                    stack.append(action[1])
                    break
                origin, size, _, _ = action[1]
                del stack[len(stack) - size :]
                stack.append(states[stack[-1]][origin][1])
        return {kind for kind in self.terminals if self._shifts(list(stack), kind)}

    def _kinds(self, text: str, end: int) -> Iterator[str]:
        """The kinds of the tokens of ``text[:end]`` the parser is fed, line breaks as in `parse`."""
        skip = self.ignore | {NL}
        depth, last, pending = 0, None, False
        for match in self.regex.finditer(text, 0, end):
            kind = match.lastgroup or ""
            if kind in skip:
                pending = pending or kind == NL
                continue
            if pending and last is not None and separates(depth, last.lastgroup or "", last.group(), kind):
                yield NL
            pending = False
            depth += _PARENS.get(kind, 0)
            last = match
            yield kind

    def _shifts(self, stack: list[int], kind: str) -> bool:
        """Feed ``kind`` to the states in ``stack`` alone: whether it is shifted (or ends the parse)."""
        states = self.states
        while True:
            action = states[stack[-1]].get(kind)
            if action is None:
                return False
            shift, arg = action
            if shift:
                stack.append(arg)
                return True
            origin, size, _, _ = arg
            if size:
                del stack[-size:]
            goto = states[stack[-1]][origin][1]
            stack.append(goto)
            if kind == "$END" and goto == self.end:
                return True

    def _feed(self, states: Any, state_stack: list[int], value_stack: list[Any], kind: str, token: Any) -> Any:
        while True:
            action = states[state_stack[-1]].get(kind)
            if action is None:
                raise _Rejected
            shift, arg = action
            if shift:
                state_stack.append(arg)
                value_stack.append(token)
                return None
            origin, size, callback, unit = arg
            if unit:  # the value on top passes up as it is; only the state changes
                state_stack.pop()
                _, goto = states[state_stack[-1]][origin]
                state_stack.append(goto)
                if token is None and goto == self.end:
                    return value_stack[-1]
                continue
            if size:
                values = value_stack[-size:]
                del state_stack[-size:]
                del value_stack[-size:]
            else:
                values = []
            value = callback(values)
            _, goto = states[state_stack[-1]][origin]
            state_stack.append(goto)
            value_stack.append(value)
            if token is None and goto == self.end:
                return value


def _lark_order(terminal: dict[str, Any]) -> tuple[int, int, int, str]:
    pattern = terminal["pattern"]
    value = pattern["value"]
    width = max(pattern["_width"]) if "_width" in pattern else len(value)
    return (-terminal.get("priority", 0), -width, -len(value), terminal["name"])


def _regexp(pattern: dict[str, Any]) -> str:
    if pattern.get("flags"):
        raise Fallback("regexp flags")
    if pattern["__type__"] == "PatternStr":
        return re.escape(pattern["value"])
    return str(pattern["value"])
