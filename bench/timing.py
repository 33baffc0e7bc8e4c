"""The bench scripts' one timer: the fastest of a few calls of a function.

The least time is the one least disturbed by other work; on a shared machine
the ratios against references timed in the same run are what to compare.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best(f: Callable[[], Any], repeat: int = 3, clock: Callable[[], float] = time.perf_counter) -> float:
    """The fastest of ``repeat`` calls of ``f``, in seconds of ``clock`` (wall time by default)."""
    times = []
    for _ in range(repeat):
        start = clock()
        f()
        times.append(clock() - start)
    return min(times)


def best_cpu(f: Callable[[], Any], repeat: int = 3) -> float:
    """The least CPU time of ``repeat`` calls of ``f``, this process only (not its children)."""
    return best(f, repeat, time.process_time)
