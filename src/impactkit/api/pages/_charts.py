"""Charts drawn on the server as small SVG documents: no script, readable by screen readers via <title>."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from markupsafe import Markup

INK = "#1a1a1a"
BAR = "#0b4f8a"
WHISKER = "#a4001d"
TARGET = "#2b7a0b"
GRID = "#c8c8c8"


def _number(value: float) -> str:
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}".replace(",", " ")
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _svg(parts: Sequence[str]) -> Markup:
    # Every piece of text placed in these documents went through html.escape.
    return Markup("".join(parts))  # noqa: S704


def _nice_top(value: float) -> float:
    """A round number at or above ``value`` for an axis end (1, 2, 5 × 10^k)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def responses_per_day_chart(points: Sequence[tuple[date, int]], title: str) -> Markup:
    """Vertical bars, one per day, with the day count on hover and the peak on the axis."""
    width, height, left, bottom, top = 640, 180, 34, 24, 10
    plot_w, plot_h = width - left - 6, height - bottom - top
    peak = _nice_top(max((n for _, n in points), default=0))
    slot = plot_w / max(len(points), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-days-title" class="chart">',
        f'<title id="chart-days-title">{escape(title)}: {sum(n for _, n in points)}</title>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 6}" y2="{top + plot_h}" stroke="{INK}"/>',
        f'<line x1="{left}" y1="{top}" x2="{width - 6}" y2="{top}" stroke="{GRID}" stroke-dasharray="3 3"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" font-size="11" fill="{INK}">'
        f"{_number(peak)}</text>",
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" font-size="11" fill="{INK}">0</text>',
    ]
    for index, (day, count) in enumerate(points):
        bar_h = plot_h * count / peak
        x = left + index * slot + slot * 0.15
        parts.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{slot * 0.7:.1f}" height="{bar_h:.1f}" '
            f'fill="{BAR}" data-day="{day.isoformat()}" data-count="{count}">'
            f"<title>{day.isoformat()}: {count}</title></rect>"
        )
    if points:
        first, last = points[0][0], points[-1][0]
        parts.append(
            f'<text x="{left}" y="{height - 6}" font-size="11" fill="{INK}">{first.strftime("%d/%m")}</text>'
            f'<text x="{width - 6}" y="{height - 6}" font-size="11" text-anchor="end" fill="{INK}">'
            f"{last.strftime('%d/%m')}</text>"
        )
    parts.append("</svg>")
    return _svg(parts)


@dataclass(frozen=True)
class IntervalBar:
    """One estimate with its interval (and target) to draw as a bar with an error bar."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    target: float | None = None
    unit: str = ""
    scale_max: float | None = None
    """The right end of the axis (1.0 for shares); a round number above the values when None."""


def interval_chart(bar: IntervalBar) -> Markup:
    """A horizontal bar for the value, a whisker for the interval, a green tick for the target."""
    width, height, pad = 260, 30, 4
    if bar.value is None:
        return _svg(
            [
                f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
                'class="chart">',
                f"<title>{escape(bar.label)}: —</title>",
                f'<text x="{pad}" y="20" font-size="12" fill="{INK}">—</text></svg>',
            ]
        )
    values = [v for v in (bar.value, bar.low, bar.high, bar.target) if v is not None]
    low_end = min(0.0, *values)
    if bar.scale_max is not None and bar.scale_max >= max(values):
        high_end = bar.scale_max
    else:
        high_end = _nice_top(max(values) - low_end) + low_end if max(values) > 0 else 1.0
    span = (high_end - low_end) or 1.0

    def x(v: float) -> float:
        return pad + (width - 2 * pad) * (v - low_end) / span

    described = f"{bar.label}: {_number(bar.value)}{bar.unit}"
    if bar.low is not None and bar.high is not None:
        described += f" ({_number(bar.low)}–{_number(bar.high)})"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart">',
        f"<title>{escape(described)}</title>",
        f'<rect x="{x(min(0.0, bar.value)):.1f}" y="8" width="{abs(x(bar.value) - x(0.0)):.1f}" '
        'height="14" '
        f'fill="{BAR}" opacity="0.85"/>',
        f'<line x1="{x(0.0):.1f}" y1="4" x2="{x(0.0):.1f}" y2="26" stroke="{INK}"/>',
    ]
    if bar.low is not None and bar.high is not None:
        parts.append(
            f'<g stroke="{WHISKER}" stroke-width="2" class="error-bar">'
            f'<line x1="{x(bar.low):.1f}" y1="15" x2="{x(bar.high):.1f}" y2="15"/>'
            f'<line x1="{x(bar.low):.1f}" y1="9" x2="{x(bar.low):.1f}" y2="21"/>'
            f'<line x1="{x(bar.high):.1f}" y1="9" x2="{x(bar.high):.1f}" y2="21"/></g>'
        )
    if bar.target is not None:
        parts.append(
            f'<line x1="{x(bar.target):.1f}" y1="2" x2="{x(bar.target):.1f}" y2="28" stroke="{TARGET}" '
            f'stroke-width="3" class="target"/>'
        )
    parts.append("</svg>")
    return _svg(parts)


@dataclass(frozen=True)
class TornadoRow:
    """The SROI ratio when one estimate moves to its low and to its high value."""

    label: str
    low: float
    high: float


def tornado_chart(rows: Sequence[TornadoRow], base: float, title: str) -> Markup:
    """Sensitivity (tornado) chart: one bar per estimate from its low to its high ratio, widest first."""
    ordered = sorted(rows, key=lambda r: abs(r.high - r.low), reverse=True)
    label_w, width, row_h, top = 200, 640, 24, 22
    height = top + row_h * len(ordered) + 24
    ends = [base, 1.0, *(r.low for r in ordered), *(r.high for r in ordered)]
    low_end, high_end = min(ends), max(ends)
    span = (high_end - low_end) or 1.0
    plot_w = width - label_w - 10

    def x(v: float) -> float:
        return label_w + plot_w * (v - low_end) / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{x(base):.1f}" y1="{top - 6}" x2="{x(base):.1f}" y2="{height - 20}" stroke="{INK}"/>',
        f'<text x="{x(base):.1f}" y="{top - 9}" text-anchor="middle" font-size="11" fill="{INK}">'
        f"{_number(base)}</text>",
        f'<line x1="{x(1.0):.1f}" y1="{top - 6}" x2="{x(1.0):.1f}" y2="{height - 20}" '
        f'stroke="{WHISKER}" '
        f'stroke-dasharray="4 3"/>',
        f'<text x="{x(1.0):.1f}" y="{height - 6}" text-anchor="middle" font-size="11" '
        f'fill="{WHISKER}">1:1</text>',
    ]
    for index, row in enumerate(ordered):
        y = top + index * row_h
        a, b = sorted((row.low, row.high))
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12" fill="{INK}">'
            f"{escape(row.label[:32])}</text>"
            f'<rect x="{x(a):.1f}" y="{y + 4}" width="{max(x(b) - x(a), 1):.1f}" height="{row_h - 8}" '
            f'fill="{BAR}">'
            f"<title>{escape(row.label)}: {_number(row.low)} – {_number(row.high)}</title></rect>"
        )
    parts.append("</svg>")
    return _svg(parts)
