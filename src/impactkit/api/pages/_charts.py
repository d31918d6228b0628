"""Charts drawn on the server as small SVG documents: no script, axes with their scale, a <title> for
screen readers, numbers and dates in the page's language.

Every piece of text placed in these documents goes through :func:`html.escape`; colours come from
attributes (no ``style``), so the pages' content security policy holds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from markupsafe import Markup

from impactkit.formats import Formats

INK = "#1a1a1a"
BAR = "#0b4f8a"
WHISKER = "#a4001d"
TARGET = "#2b7a0b"
GRID = "#c8c8c8"
MUTED = "#4a4a4a"


def _svg(parts: Sequence[str]) -> Markup:
    # Every piece of text placed in these documents went through html.escape.
    return Markup("".join(parts))  # noqa: S704


def nice_top(value: float) -> float:
    """A round number at or above ``value`` for an axis end (1, 2, 5 × 10^k).

    >>> nice_top(0), nice_top(7), nice_top(23), nice_top(0.42)
    (1.0, 10.0, 50.0, 0.5)
    """
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Evenly spaced round ticks from ``low`` to ``high`` (both ends included).

    >>> ticks(0, 1)
    [0.0, 0.25, 0.5, 0.75, 1.0]
    >>> ticks(0, 50)
    [0.0, 12.5, 25.0, 37.5, 50.0]
    """
    step = (high - low) / count
    return [low + step * i for i in range(count + 1)]


def _tick_text(value: float, fmt: Formats, share: bool) -> str:
    if share:
        return fmt.percent(value, 0)
    return fmt.number(value)


def responses_per_day_chart(points: Sequence[tuple[date, int]], title: str, fmt: Formats) -> Markup:
    """Vertical bars, one per day, on a scale with ticks; the first, middle and last day on the axis."""
    width, height, left, bottom, top = 640, 200, 44, 28, 10
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = nice_top(max((n for _, n in points), default=0))
    if peak < 4:
        peak = 4.0
    slot = plot_w / max(len(points), 1)
    base = top + plot_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-days-title" class="chart">',
        f'<title id="chart-days-title">{escape(title)}: '
        f"{escape(fmt.integer(sum(n for _, n in points)))}</title>",
    ]
    for tick in ticks(0, peak):
        y = base - plot_h * tick / peak
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" stroke="{GRID}" '
            f'stroke-dasharray="3 3"/>'
            f'<text x="{left - 5}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{INK}">'
            f"{escape(fmt.number(tick))}</text>"
        )
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - 8}" y2="{base}" stroke="{INK}"/>')
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="{INK}"/>')
    for index, (day, count) in enumerate(points):
        bar_h = plot_h * count / peak
        x = left + index * slot + slot * 0.15
        parts.append(
            f'<rect x="{x:.1f}" y="{base - bar_h:.1f}" width="{slot * 0.7:.1f}" height="{bar_h:.1f}" '
            f'fill="{BAR}" data-day="{day.isoformat()}" data-count="{count}">'
            f"<title>{escape(fmt.date(day))}: {escape(fmt.count(count, 'responses'))}</title></rect>"
        )
    if points:
        for index in sorted({0, len(points) // 2, len(points) - 1}):
            day = points[index][0]
            x = left + index * slot + slot / 2
            anchor = "start" if index == 0 else "end" if index == len(points) - 1 else "middle"
            parts.append(
                f'<text x="{x:.1f}" y="{height - 8}" font-size="11" text-anchor="{anchor}" fill="{INK}">'
                f"{escape(fmt.date(day, 'short'))}</text>"
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


def _scale(values: Sequence[float], scale_max: float | None) -> tuple[float, float]:
    low_end = min(0.0, *values)
    if scale_max is not None and scale_max >= max(values):
        return low_end, scale_max
    top = max(values)
    return low_end, (nice_top(top - low_end) + low_end if top > 0 else 1.0)


def interval_chart(bar: IntervalBar, fmt: Formats) -> Markup:
    """A horizontal bar for the value, a whisker for the interval, a green tick for the target,
    over an axis with its scale (0 to 100 % for shares)."""
    width, height, pad, axis_y = 260, 46, 10, 30
    if bar.value is None:
        return _svg(
            [
                f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
                'class="chart">',
                f"<title>{escape(bar.label)}: —</title>",
                f'<text x="{pad}" y="20" font-size="12" fill="{INK}">—</text></svg>',
            ]
        )
    share = bar.scale_max == 1.0
    values = [v for v in (bar.value, bar.low, bar.high, bar.target) if v is not None]
    low_end, high_end = _scale(values, bar.scale_max)
    span = (high_end - low_end) or 1.0

    def x(v: float) -> float:
        return pad + (width - 2 * pad) * (v - low_end) / span

    def text(v: float) -> str:
        return fmt.percent(v) if share else fmt.number(v)

    described = f"{bar.label}: {text(bar.value)}"
    if bar.low is not None and bar.high is not None:
        described += f" ({text(bar.low)} – {text(bar.high)})"
    if bar.target is not None:
        described += f"; {text(bar.target)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart">',
        f"<title>{escape(described)}</title>",
    ]
    for tick in ticks(low_end, high_end, 2):
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="4" x2="{x(tick):.1f}" y2="{axis_y + 3}" stroke="{GRID}"/>'
            f'<text x="{x(tick):.1f}" y="{height - 3}" font-size="10" text-anchor="middle" fill="{MUTED}">'
            f"{escape(_tick_text(tick, fmt, share))}</text>"
        )
    parts.append(f'<line x1="{pad}" y1="{axis_y}" x2="{width - pad}" y2="{axis_y}" stroke="{INK}"/>')
    parts.append(
        f'<rect x="{x(min(0.0, bar.value)):.1f}" y="9" width="{abs(x(bar.value) - x(0.0)):.1f}" height="14" '
        f'fill="{BAR}" opacity="0.85"/>'
    )
    if bar.low is not None and bar.high is not None:
        parts.append(
            f'<g stroke="{WHISKER}" stroke-width="2" class="error-bar">'
            f'<line x1="{x(bar.low):.1f}" y1="16" x2="{x(bar.high):.1f}" y2="16"/>'
            f'<line x1="{x(bar.low):.1f}" y1="10" x2="{x(bar.low):.1f}" y2="22"/>'
            f'<line x1="{x(bar.high):.1f}" y1="10" x2="{x(bar.high):.1f}" y2="22"/></g>'
        )
    if bar.target is not None:
        parts.append(
            f'<line x1="{x(bar.target):.1f}" y1="3" x2="{x(bar.target):.1f}" y2="{axis_y}" stroke="{TARGET}" '
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


def tornado_chart(rows: Sequence[TornadoRow], base: float, title: str, fmt: Formats) -> Markup:
    """Sensitivity (tornado) chart: one bar per estimate from its low to its high ratio, widest first,
    over a ratio axis with the 1:1 line."""
    ordered = sorted(rows, key=lambda r: abs(r.high - r.low), reverse=True)
    label_w, width, row_h, top = 200, 640, 24, 22
    plot_bottom = top + row_h * len(ordered)
    height = plot_bottom + 40
    ends = [base, 1.0, *(r.low for r in ordered), *(r.high for r in ordered)]
    low_end, high_end = math.floor(min(ends)), math.ceil(max(ends))
    span = (high_end - low_end) or 1.0
    plot_w = width - label_w - 14

    def x(v: float) -> float:
        return label_w + plot_w * (v - low_end) / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{label_w}" y1="{plot_bottom + 4}" x2="{width - 14}" y2="{plot_bottom + 4}" '
        f'stroke="{INK}"/>',
    ]
    for tick in ticks(low_end, high_end, 4):
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{plot_bottom + 4}" x2="{x(tick):.1f}" y2="{plot_bottom + 9}" '
            f'stroke="{INK}"/>'
            f'<text x="{x(tick):.1f}" y="{plot_bottom + 21}" text-anchor="middle" font-size="11" '
            f'fill="{INK}">'
            f"{escape(fmt.number(tick))}</text>"
        )
    parts += [
        f'<line x1="{x(base):.1f}" y1="{top - 6}" x2="{x(base):.1f}" y2="{plot_bottom + 4}" stroke="{INK}"/>',
        f'<text x="{x(base):.1f}" y="{top - 9}" text-anchor="middle" font-size="11" fill="{INK}">'
        f"{escape(fmt.number(base, 2))}</text>",
        f'<line x1="{x(1.0):.1f}" y1="{top - 6}" x2="{x(1.0):.1f}" y2="{plot_bottom + 4}" '
        f'stroke="{WHISKER}" stroke-dasharray="4 3"/>',
        f'<text x="{x(1.0):.1f}" y="{height - 4}" text-anchor="middle" font-size="11" '
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
            f"<title>{escape(row.label)}: {escape(fmt.number(row.low, 2))} – "
            f"{escape(fmt.number(row.high, 2))}</title></rect>"
        )
    parts.append("</svg>")
    return _svg(parts)


@dataclass(frozen=True)
class BreakdownRow:
    """One category of a breakdown: its value and interval, or ``suppressed`` (too few people)."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    n: int | None = None
    suppressed: bool = False


def breakdown_chart(
    rows: Sequence[BreakdownRow],
    title: str,
    fmt: Formats,
    *,
    share: bool,
    suppressed_text: str,
    target: float | None = None,
) -> Markup:
    """One horizontal bar per category with its interval as a whisker, over a common axis with its
    scale (0–100 % for shares); a suppressed category is written as such, never drawn."""
    label_w, width, row_h, top = 170, 640, 28, 8
    plot_w = width - label_w - 20
    bottom = top + row_h * len(rows)
    height = bottom + 30
    values = [v for r in rows for v in (r.value, r.low, r.high) if v is not None and not r.suppressed]
    if target is not None:
        values.append(target)
    low_end, high_end = _scale(values or [0.0], 1.0 if share else None)
    span = (high_end - low_end) or 1.0

    def x(v: float) -> float:
        return label_w + plot_w * (v - low_end) / span

    def text(v: float) -> str:
        return fmt.percent(v) if share else fmt.number(v)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in ticks(low_end, high_end, 4):
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{top}" x2="{x(tick):.1f}" y2="{bottom + 4}" stroke="{GRID}" '
            f'stroke-dasharray="3 3"/>'
            f'<text x="{x(tick):.1f}" y="{bottom + 18}" text-anchor="middle" font-size="11" fill="{INK}">'
            f"{escape(_tick_text(tick, fmt, share))}</text>"
        )
    parts.append(
        f'<line x1="{label_w}" y1="{bottom + 4}" x2="{width - 20}" y2="{bottom + 4}" stroke="{INK}"/>'
    )
    for index, row in enumerate(rows):
        y = top + index * row_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 18}" text-anchor="end" font-size="12" fill="{INK}">'
            f"{escape(row.label[:28])}</text>"
        )
        if row.suppressed or row.value is None:
            parts.append(
                f'<text x="{label_w + 4}" y="{y + 18}" font-size="12" fill="{MUTED}" class="suppressed">'
                f"{escape(suppressed_text)}</text>"
            )
            continue
        described = f"{row.label}: {text(row.value)}"
        if row.low is not None and row.high is not None:
            described += f" ({text(row.low)} – {text(row.high)})"
        parts.append(
            f'<rect x="{x(min(0.0, row.value)):.1f}" y="{y + 6}" width="{abs(x(row.value) - x(0.0)):.1f}" '
            f'height="{row_h - 12}" fill="{BAR}" opacity="0.85"><title>{escape(described)}</title></rect>'
        )
        if row.low is not None and row.high is not None:
            mid = y + row_h / 2
            a, b = x(row.low), x(row.high)
            parts.append(
                f'<g stroke="{WHISKER}" stroke-width="2" class="error-bar">'
                f'<line x1="{a:.1f}" y1="{mid:.1f}" x2="{b:.1f}" y2="{mid:.1f}"/>'
                f'<line x1="{a:.1f}" y1="{mid - 6:.1f}" x2="{a:.1f}" y2="{mid + 6:.1f}"/>'
                f'<line x1="{b:.1f}" y1="{mid - 6:.1f}" x2="{b:.1f}" y2="{mid + 6:.1f}"/></g>'
            )
    if target is not None:
        parts.append(
            f'<line x1="{x(target):.1f}" y1="{top}" x2="{x(target):.1f}" y2="{bottom + 4}" stroke="{TARGET}" '
            f'stroke-width="3" class="target"/>'
        )
    parts.append("</svg>")
    return _svg(parts)
