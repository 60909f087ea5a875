"""Server-side SVG bar charts (no JavaScript): stacked bars with a legend.

Each chart is drawn beside its data table on the page, and the table is the accessible
version: the SVG has a title and a description pointing at it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Paul Tol's "muted" scheme plus two: distinguishable with common colour-vision deficiencies.
PALETTE = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677",
           "#882255", "#AA4499", "#555555", "#DDDDDD", "#000000")


def stacked_bars(chart_id: str, title: str, categories: Sequence[str],
                 series: Sequence[tuple[str, Sequence[float]]], table_id: str = "") -> SafeString:
    n = max(len(categories), 1)
    bar, gap, left, top, plot_h = 22, 8, 44, 16, 220
    legend_w = 170
    width = left + n * (bar + gap) + legend_w
    height = top + plot_h + 70
    totals = [sum(values[i] for _, values in series) for i in range(len(categories))]
    peak = max(totals, default=0) or 1
    step = _nice_step(peak)
    ymax = step * (int(peak // step) + (peak % step > 0)) or 1
    scale = plot_h / ymax
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" id="{escape(chart_id)}" '
           f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">',
           f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
           f'<desc id="{escape(chart_id)}-desc">Stacked bar chart; the same figures are in '
           f'the table {escape(table_id)} beside it.</desc>',
           '<g font-family="sans-serif" font-size="10" fill="#1b1b1b">']
    tick = 0
    while tick <= ymax:
        y = top + plot_h - tick * scale
        out.append(f'<line x1="{left}" x2="{left + n * (bar + gap)}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="#ccc"/><text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">'
                   f'{tick:g}</text>')
        tick += step
    for i, cat in enumerate(categories):
        x = left + i * (bar + gap) + gap / 2
        y = top + plot_h
        for k, (name, values) in enumerate(series):
            h = values[i] * scale
            if h > 0:
                y -= h
                out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar}" height="{h:.1f}" '
                           f'fill="{PALETTE[k % len(PALETTE)]}"><title>{escape(cat)}, '
                           f'{escape(name)}: {values[i]:g}</title></rect>')
        out.append(f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 8}" text-anchor="end" '
                   f'transform="rotate(-60 {x + bar / 2:.1f} {top + plot_h + 8})">'
                   f'{escape(cat)}</text>')
    lx = left + n * (bar + gap) + 12
    for k, (name, _values) in enumerate(series):
        ly = top + k * 16
        out.append(f'<rect x="{lx}" y="{ly}" width="10" height="10" '
                   f'fill="{PALETTE[k % len(PALETTE)]}"/><text x="{lx + 14}" y="{ly + 9}">'
                   f'{escape(name)}</text>')
    out.append("</g></svg>")
    return mark_safe("".join(out))


def _nice_step(peak: float) -> float:
    raw = peak / 5
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    for m in (1, 2, 5, 10):
        if raw <= m * magnitude:
            return m * magnitude
    return 10 * magnitude
