"""How hard a DOT graph is for Graphviz to lay out, measured before dot starts.

dot's time grows much faster than the graph: it ranks the nodes, then
threads every edge that spans several ranks through one "virtual" node per
rank it crosses, then reorders each rank to reduce crossings.  A fork used
far down a long chain (``x + x + … + x``) makes a virtual node per rank and
per use, and wide ranks: 50 terms take dot 3 s, 60 terms 24 s, 100 terms
more than a minute (measured on the development machine, docs/limits.md).
So the estimate counts what dot works on: the nodes plus the virtual nodes,
and the widest rank.  Ranks are found as dot finds them for these graphs:
an op one rank after its latest input, a leaf just before its first user.
"""

from __future__ import annotations

import re

from ..errors import UsageError

#: nodes + virtual nodes past which dot takes more than a few seconds (a 4,000-node chain: 8 s)
MAX_LAYOUT_NODES = 4_000
#: (nodes + virtual nodes) × the widest rank past which dot's crossing reduction takes too long
MAX_LAYOUT_WORK = 80_000

_EDGE = re.compile(r"^\s*(\w+) -> (\w+)", re.MULTILINE)


def layout_size(dot_text: str) -> tuple[int, int]:
    """(nodes + virtual nodes, widest rank) of the graph that `cgcli.present.dot.graph_dot` wrote."""
    ids: dict[str, int] = {}
    edges: list[tuple[int, int]] = []
    for tail, head in _EDGE.findall(dot_text):
        a = ids.setdefault(tail, len(ids))
        b = ids.setdefault(head, len(ids))
        edges.append((a, b))
    # dot ranks by network simplex, which minimises the total edge length: any ranking that
    # keeps every edge pointing forward bounds its virtual nodes from above.  Two such rankings,
    # the better one kept: as soon as possible (an op right after its latest input, a leaf just
    # before its first user), and as late as possible (every node right before its earliest
    # user), which is what dot does with an op of leaves feeding a long chain (w_i * x_i into a
    # 250-term sum: ASAP counts 31,000 virtual nodes, dot and ALAP none).
    return min(_measure(_asap(len(ids), edges), edges), _measure(_alap(len(ids), edges), edges))


def _asap(count: int, edges: list[tuple[int, int]]) -> list[int]:
    # graph_dot writes edges in topological order of their heads (inputs first): one pass ranks them
    rank = [0] * count
    has_input = [False] * count
    for a, b in edges:
        has_input[b] = True
        rank[b] = max(rank[b], rank[a] + 1)
    first_user: dict[int, int] = {}
    for a, b in edges:  # a leaf sits just before its first user
        if not has_input[a]:
            first_user[a] = min(first_user.get(a, rank[b]), rank[b])
    for a, user in first_user.items():
        rank[a] = user - 1
    return rank


def _alap(count: int, edges: list[tuple[int, int]]) -> list[int]:
    # backwards, every edge out of a node comes after every edge into it: one reversed pass
    rank = [0] * count
    for a, b in reversed(edges):
        rank[a] = min(rank[a], rank[b] - 1)
    return rank


def _measure(rank: list[int], edges: list[tuple[int, int]]) -> tuple[int, int]:
    """(nodes + virtual nodes, widest rank) under one ranking."""
    low = min(rank, default=0)
    virtual = 0
    crossing = [0] * (max(rank, default=0) - low + 2)  # edges crossing the gap after each rank
    for a, b in edges:
        lo, hi = sorted((rank[a] - low, rank[b] - low))
        virtual += max(hi - lo - 1, 0)
        crossing[lo] += 1
        crossing[hi] -= 1
    width, running = 1, 0
    for change in crossing:
        running += change
        width = max(width, running)
    return len(rank) + virtual, width


def refuse_large_layout(dot_text: str, fmt: str) -> None:
    """Raise UsageError, before dot starts, for a graph it cannot lay out in reasonable time."""
    size, width = layout_size(dot_text)
    if size <= MAX_LAYOUT_NODES and size * width <= MAX_LAYOUT_WORK:
        return
    raise UsageError(
        f"the graph is too large for Graphviz to draw in reasonable time ({size:,} nodes to lay out, "
        f"{width:,} side by side; cgcli draws up to {MAX_LAYOUT_NODES:,}, fewer when wide: see docs/limits.md). "
        f"Use --format dot and run dot yourself if you can wait (cgcli graph … --format dot | dot -T{fmt}), "
        "or --format tree or mermaid"
    )
