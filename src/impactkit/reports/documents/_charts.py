"""Vector charts for the documents: horizontal bars (or ranges) with their interval, as SVG text.

Every text placed in the SVG goes through :func:`html.escape`; no external reference is ever
written (no ``href``, no ``url()``), so the renderer has nothing to fetch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from impactkit.formats import Formats

INK = "#1a1a1a"
BAR = "#0b4f8a"
WHISKER = "#a4001d"
GRID = "#c8c8c8"
REFERENCE = "#2b7a0b"

WIDTH = 640
LABEL_WIDTH = 250
ROW = 26
TOP = 10
AXIS = 28


@dataclass(frozen=True)
class RangeBar:
    """One row: a value drawn as a bar from the axis start, its interval as a whisker."""

    label: str
    value: float | None
    low: float | None
    high: float | None
    text: str
    """The value as the reader reads it, written at the end of the row."""


def _clip(text: str, limit: int = 42) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    step = (high - low) / count
    return [low + step * index for index in range(count + 1)]


def range_chart(
    bars: Sequence[RangeBar],
    low: float,
    high: float,
    fmt: Formats,
    *,
    percent: bool,
    title: str,
    reference: float | None = None,
) -> str:
    """An SVG chart of ``bars`` on an axis from ``low`` to ``high``.

    Args:
        bars: the rows, top to bottom.
        low, high: the axis ends (in the values' unit; fractions when ``percent``).
        fmt: formats of the report's language (tick labels).
        percent: tick labels as percentages.
        title: the chart's title (also its accessible name).
        reference: a vertical line at this value (e.g. an SROI ratio of 1).
    """
    if not math.isfinite(high) or high <= low:
        high = low + 1
    plot = WIDTH - LABEL_WIDTH - 70
    height = TOP + ROW * len(bars) + AXIS

    def x(value: float) -> float:
        return LABEL_WIDTH + (min(max(value, low), high) - low) / (high - low) * plot

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    axis_y = TOP + ROW * len(bars)
    for tick in _ticks(low, high):
        label = fmt.percent(tick, 0) if percent else fmt.number(tick, 1)
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{TOP}" x2="{x(tick):.1f}" y2="{axis_y}" stroke="{GRID}" '
            'stroke-width="0.6"/>'
            f'<text x="{x(tick):.1f}" y="{axis_y + 16}" font-size="10" text-anchor="middle" '
            f'fill="{INK}">{escape(label)}</text>'
        )
    for index, bar in enumerate(bars):
        y = TOP + ROW * index
        middle = y + ROW / 2
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{middle + 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="{INK}">{escape(_clip(bar.label))}</text>'
        )
        if bar.value is not None and bar.low is None:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 6}" width="{max(x(bar.value) - LABEL_WIDTH, 0.5):.1f}" '
                f'height="{ROW - 12}" fill="{BAR}"/>'
            )
        elif bar.value is not None:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 6}" width="{max(x(bar.value) - LABEL_WIDTH, 0.5):.1f}" '
                f'height="{ROW - 12}" fill="{BAR}" fill-opacity="0.75"/>'
            )
        if bar.low is not None and bar.high is not None:
            left, right = x(bar.low), x(bar.high)
            parts.append(
                f'<line x1="{left:.1f}" y1="{middle}" x2="{right:.1f}" y2="{middle}" stroke="{WHISKER}" '
                'stroke-width="1.6"/>'
                f'<line x1="{left:.1f}" y1="{middle - 5}" x2="{left:.1f}" y2="{middle + 5}" '
                f'stroke="{WHISKER}" stroke-width="1.6"/>'
                f'<line x1="{right:.1f}" y1="{middle - 5}" x2="{right:.1f}" y2="{middle + 5}" '
                f'stroke="{WHISKER}" stroke-width="1.6"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + plot + 6}" y="{middle + 4:.1f}" font-size="10" fill="{INK}">'
            f"{escape(bar.text)}</text>"
        )
    if reference is not None and low <= reference <= high:
        parts.append(
            f'<line x1="{x(reference):.1f}" y1="{TOP}" x2="{x(reference):.1f}" y2="{axis_y}" '
            f'stroke="{REFERENCE}" stroke-width="1.4" stroke-dasharray="4 3"/>'
        )
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="{axis_y}" x2="{LABEL_WIDTH + plot}" y2="{axis_y}" stroke="{INK}"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


__all__ = ["RangeBar", "range_chart"]
