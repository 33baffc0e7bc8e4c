"""A line plot of f against the step, in braille dots, at most 80 columns wide.

Each character cell holds 2 × 4 braille dots, so 64 cells of canvas give
128 columns of dots for the steps and 12 rows give 48 for f.  Consecutive
steps are joined by a line, so an oscillating run (a learning rate too big)
shows as a band.  When every f is above 0 and they span at least
`LOG_SPAN` (a factor of 100), the axis is logarithmic, as loss curves are
drawn; f ≤ 0 anywhere keeps it linear, since a log axis cannot show it.

Written here rather than taken from a plotting library: one series, three
axis labels and an exact, stable text (tests compare it character for
character) are less code than adapting a library's ticks and axes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from .numbers import short

WIDTH = 80
HEIGHT = 12
LOG_SPAN = 100.0
#: the y labels' width: "-1.23e-05" and a space
LABEL = 10

# the bit of each dot in a braille cell (U+2800 + bits), by (column, row)
_DOT = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))


class LossPlot:
    """f against the step; a Rich renderable that fits ``min(80, the console's width)``."""

    def __init__(self, values: Sequence[float], title: str = "f") -> None:
        self.values, self.title = list(values), title

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for i, line in enumerate(plot_lines(self.values, min(WIDTH, options.max_width), self.title)):
            yield Text(line, style="green" if 1 <= i <= HEIGHT else "")  # the canvas, in the values' colour


def log_scale(values: Sequence[float]) -> bool:
    """Whether f is drawn on a log axis: every value above 0, spanning LOG_SPAN or more."""
    low, high = min(values), max(values)
    return low > 0 and high / low >= LOG_SPAN


def plot_lines(values: Sequence[float], width: int = WIDTH, title: str = "f") -> list[str]:
    """The plot as lines of text, ``width`` characters at most; ``values`` finite, one per step."""
    cells = max(width - LABEL - 1, 8)
    log = log_scale(values)
    ys = [math.log10(v) for v in values] if log else list(values)
    low, high = min(ys), max(ys)
    span = high - low or 1.0  # a flat run: one line across the middle
    dots_x, dots_y = 2 * cells, 4 * HEIGHT
    last = max(len(ys) - 1, 1)
    canvas = [[0] * cells for _ in range(HEIGHT)]

    def mark(column: int, top: float, bottom: float) -> None:
        """Set the dots of ``column`` from row ``top`` to row ``bottom`` (rows count down)."""
        for row in range(round(min(top, bottom)), round(max(top, bottom)) + 1):
            canvas[row // 4][column // 2] |= _DOT[column % 2][row % 4]

    def row_of(y: float) -> float:
        return (dots_y - 1) * (high - y) / span if high > low else (dots_y - 1) / 2

    previous: tuple[int, float] | None = None
    for k, y in enumerate(ys):
        column, row = round((dots_x - 1) * k / last), row_of(y)
        if previous is None or column == previous[0]:
            mark(column, row, row if previous is None else previous[1])
        else:  # join the previous step's dot to this one, a column at a time
            c0, r0 = previous
            for c in range(c0 + 1, column + 1):
                r = r0 + (row - r0) * (c - c0) / (column - c0)
                mark(c, r0 + (row - r0) * (c - 1 - c0) / (column - c0), r)
        previous = (column, row)

    def label(y: float) -> str:
        return short(10**y if log else y, 3)

    axis = {0: label(high), HEIGHT // 2: label((high + low) / 2), HEIGHT - 1: label(low)}
    if high == low:
        axis = {HEIGHT // 2: label(high)}
    scale = "log scale" if log else "linear scale"
    lines = [f"{title} against the step ({scale})"]
    for r, cells_row in enumerate(canvas):
        text = axis.get(r, "")
        tick = "┤" if r in axis else "│"
        lines.append(f"{text:>{LABEL - 1}} {tick}" + "".join(chr(0x2800 + bits) for bits in cells_row))
    lines.append(" " * (LABEL - 1) + " └" + "─" * cells)
    end = str(len(ys) - 1)
    lines.append(" " * (LABEL + 1) + "0" + "step".center(cells - 1 - len(end)) + end)
    return [line.rstrip() for line in lines]
