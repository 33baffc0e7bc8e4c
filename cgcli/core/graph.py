"""The computational graph: nodes in topological order, held as flat lists.

Node ``i`` has an op row (`cgcli.core.ops.Op`, or ``None`` for a leaf), the ids
of its inputs (all smaller than ``i``) and, for a leaf, a constant value or
a variable name.  A program's statements (``q = x + y``) name nodes: a named
node is labelled with its name, and its parents' texts use the name.  Ids
are given in creation order, so the lists are already topologically sorted
and every pass over the graph is a plain loop: no recursion, however deep
the expression.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .notation import node_text
from .ops import ATOM, CONSTANTS, OPS, UNARY, Op

T = TypeVar("T")
_POW, _POW_VAR = OPS["pow"], OPS["pow_var"]

VAR = "var"
CONST = "const"

#: a step of the forward pass, one per op node: (id, op, forward, local, domain, a, b),
#: where a and b are the input ids of a unary (b = -1) or binary op, and a = -1 marks
#: a variadic one.  Unpacking one tuple per node costs the passes less than reading
#: the row's attributes for every node, every pass; making it here, while the parser
#: adds the node, costs the parse about 1%.
Step = tuple[int, Op, Any, Any, Any, int, int]

#: the output's name when the program does not name it (a bare expression)
OUTPUT = "f"

#: a sub-expression whose text is longer than this is shown as ``#id`` in
#: its parents' text, so that a 100,000-deep chain does not print O(n²) text
TEXT_LIMIT = 80


@dataclass
class Graph:
    """A computational graph.  Build it with `cgcli.parse`, evaluate it with `evaluate`."""

    ops: list[Op | None] = field(default_factory=list)
    inputs: list[tuple[int, ...]] = field(default_factory=list)
    #: constant value of each constant leaf, by id
    constants: dict[int, float] = field(default_factory=dict)
    #: text of each leaf as written ("x", "pi", "1.5")
    leaf_text: dict[int, str] = field(default_factory=dict)
    #: variable name -> node id, in order of first use
    variables: dict[str, int] = field(default_factory=dict)
    #: ids of nodes that depend on no variable (constant leaves and ops of them)
    constant_ids: set[int] = field(default_factory=set)
    source: str = ""
    #: ids of sigmoid gates made by `cgcli.core.fuse.fuse` from 1/(1+exp(-E))
    fused: set[int] = field(default_factory=set)
    #: the name a program's statement gives a node (``q`` of ``q = x + y``), by id
    names: dict[int, str] = field(default_factory=dict)
    #: the name the last statement gives the output when it names no node of its own
    #: (``f = q`` or ``f = x``: the output is q's node or the variable x); see `output_name`
    output_alias: str | None = None
    #: defined name -> the offset of its definition in ``source`` (for messages that point at it)
    definitions: dict[str, int] = field(default_factory=dict)
    #: what parsing found worth a warning (a definition the output does not use)
    warnings: list[str] = field(default_factory=list)
    #: variables used only by definitions the output does not use: they need no value
    unused_variables: set[str] = field(default_factory=set)
    #: the engine's entry for each op node, in order, made as the node is added (see `Step`);
    #: so nodes are only ever added: to change a row, build a new graph (as fuse() does)
    plan: list[Step] = field(default_factory=list, repr=False)
    _texts: list[str] | None = field(default=None, repr=False)

    # -- building ---------------------------------------------------------

    def constant(self, value: float, text: str) -> int:
        """Add a constant leaf; returns its id."""
        i = self._append(None, ())
        self.constants[i] = value
        self.leaf_text[i] = text
        self.constant_ids.add(i)
        return i

    def variable(self, name: str) -> int:
        """Return the node of variable ``name``, adding it on first use (a fork after that)."""
        if name in self.variables:
            return self.variables[name]
        if name in CONSTANTS:
            return self.constant(CONSTANTS[name], name)
        i = self.variables[name] = self._append(None, ())
        self.leaf_text[i] = name
        return i

    def apply(self, op: Op, *inputs: int) -> int:
        """Add a node applying ``op`` to the ``inputs`` nodes; returns its id."""
        if op is _POW and inputs[1] not in self.constant_ids:
            op = _POW_VAR
        i = self._append(op, inputs)
        if self.constant_ids.issuperset(inputs):
            self.constant_ids.add(i)
        return i

    def copy_node(self, graph: Graph, i: int, new_id: Mapping[int, int] | list[int]) -> int:
        """Add node ``i`` of ``graph`` again, over the new ids of its inputs; returns its id here.

        The one way a graph is rebuilt from another (fusing, pruning, compacting).
        """
        op = graph.ops[i]
        if op is not None:
            return self.apply(op, *(new_id[j] for j in graph.inputs[i]))
        if i in graph.constants:
            return self.constant(graph.constants[i], graph.leaf_text[i])
        return self.variable(graph.leaf_text[i])

    def drop_last_leaf(self) -> None:
        """Remove the last node, a variable no node uses yet (the parser adds it again later)."""
        i = len(self.ops) - 1
        assert self.ops[i] is None and i not in self.constants, "only a variable leaf can be dropped"
        self.ops.pop()
        self.inputs.pop()
        del self.variables[self.leaf_text.pop(i)]
        self._texts = None

    def _append(self, op: Op | None, inputs: tuple[int, ...]) -> int:
        i = len(self.ops)
        self.ops.append(op)
        self.inputs.append(inputs)
        if op is not None:
            if op.arity == 2:
                a, b = inputs
            else:
                a, b = (inputs[0], -1) if op.arity == 1 else (-1, -1)
            self.plan.append((i, op, op.forward, op.local, op.domain, a, b))
        self._texts = None
        return i

    # -- reading ----------------------------------------------------------

    def __len__(self) -> int:
        return len(self.ops)

    @property
    def output(self) -> int:
        """The id of the output node: the last one."""
        return len(self.ops) - 1

    @property
    def output_name(self) -> str:
        """The output's name, as in ``∂L/∂x``: the last statement's name, else ``f``."""
        return self.output_alias or self.names.get(self.output) or OUTPUT

    def label(self, i: int) -> str:
        """What node ``i`` is called: its name, or else its expression text."""
        return self.names.get(i) or self.text(i)

    def seed(self, point: Mapping[str, T]) -> list[float | T]:
        """A value list with the leaves filled in: constants, and each variable from ``point``.

        Every evaluator starts from it (floats, complex numbers, NumPy columns).
        """
        value: list[float | T] = [0.0] * len(self)
        for i, c in self.constants.items():
            value[i] = c
        for name, i in self.variables.items():
            value[i] = point[name]
        return value

    def op_name(self, i: int) -> str:
        """``var``, ``const`` or the op's name."""
        op = self.ops[i]
        if op is not None:
            return op.name
        return CONST if i in self.constants else VAR

    def text(self, i: int) -> str:
        """The expression text of node ``i``: named inputs by name, sub-expressions over TEXT_LIMIT as ``#id``."""
        if self._texts is None:
            self._texts = self._all_texts()
        return self._texts[i]

    def reset_texts(self) -> None:
        """Forget the texts made so far (after naming a node, say): they are made again when asked."""
        self._texts = None

    def _all_texts(self) -> list[str]:
        texts: list[str] = []
        names = self.names
        for i, op in enumerate(self.ops):
            if op is None:
                texts.append(self.leaf_text[i])
                continue
            parts = [
                (names[j], ATOM)
                if j in names
                else (texts[j], self.precedence(j))
                if len(texts[j]) <= TEXT_LIMIT
                else (f"#{j}", ATOM)
                for j in self.inputs[i]
            ]
            texts.append(node_text(op, parts))
        return texts

    def precedence(self, i: int) -> int:
        """How tightly node ``i`` binds when printed (ATOM for leaves and calls)."""
        op = self.ops[i]
        if op is None:  # a leaf built through the API may be a negative number
            return UNARY if self.leaf_text[i].startswith("-") else ATOM
        return op.precedence
