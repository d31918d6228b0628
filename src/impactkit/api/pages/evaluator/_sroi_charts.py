"""The SROI editor's own chart: the Monte Carlo histogram of the ratio (SVG, no script, no style)."""

from __future__ import annotations

from html import escape

import numpy as np
from markupsafe import Markup

from impactkit.api.pages._charts import BAR, GRID, INK, WHISKER, nice_top, ticks
from impactkit.formats import Formats


def ratio_histogram(ratios: np.ndarray, title: str, fmt: Formats, *, bins: int = 40) -> Markup:
    """Bars of how many draws fell in each ratio band, the 1:1 line dashed, axes with their scale."""
    width, height, left, bottom, top = 640, 220, 48, 30, 12
    plot_w, plot_h = width - left - 10, height - bottom - top
    values = ratios[np.isfinite(ratios)]
    if values.size == 0:
        values = np.zeros(1)
    low, high = float(min(values.min(), 1.0)), float(max(values.max(), 1.0))
    if high - low < 1e-9:
        high = low + 1.0
    counts, edges = np.histogram(values, bins=bins, range=(low, high))
    peak = nice_top(float(counts.max()))

    def x(v: float) -> float:
        return left + plot_w * (v - low) / (high - low)

    base = top + plot_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart" id="montecarlo-histogram"><title>{escape(title)}</title>',
    ]
    for tick in ticks(0, peak):
        y = base - plot_h * tick / peak
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="{GRID}" '
            'stroke-dasharray="3 3"/>'
            f'<text x="{left - 5}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{INK}">'
            f"{escape(fmt.integer(int(tick)))}</text>"
        )
    for count, a, b in zip(counts, edges[:-1], edges[1:], strict=True):
        h = plot_h * float(count) / peak
        bar_w = max(x(float(b)) - x(float(a)) - 1, 1)
        parts.append(
            f'<rect x="{x(float(a)):.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" '
            f'height="{h:.1f}" fill="{BAR}"><title>{escape(fmt.number(float(a), 2))} – '
            f"{escape(fmt.number(float(b), 2))}: {escape(fmt.integer(int(count)))}</title></rect>"
        )
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="{INK}"/>')
    for tick in ticks(low, high, 4):
        parts.append(
            f'<text x="{x(tick):.1f}" y="{base + 16}" text-anchor="middle" font-size="11" fill="{INK}">'
            f"{escape(fmt.number(tick, 2))}</text>"
        )
    parts.append(
        f'<line x1="{x(1.0):.1f}" y1="{top}" x2="{x(1.0):.1f}" y2="{base}" stroke="{WHISKER}" '
        f'stroke-dasharray="4 3"/><text x="{x(1.0):.1f}" y="{height - 2}" text-anchor="middle" '
        f'font-size="11" fill="{WHISKER}">1:1</text></svg>'
    )
    return Markup("".join(parts))  # noqa: S704 — every text above went through html.escape
