"""A very small SVG chart writer for the report's three kinds of chart: error bars by month,
forest plots and bar charts.

Why not matplotlib: the report draws ~30-50 charts, and matplotlib took 0.15-0.5 s of CPU
each (about 10 s per report); these take milliseconds, their text stays text (searchable,
read by screen readers, checkable with pdftotext), and their layout is computed from the
labels' lengths so labels never overlap or run off the edge.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from gettext import gettext as _

OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
MARKERS = ["circle", "square", "triangle", "diamond", "circle", "square", "triangle"]
FONT = 11
CHAR = 0.6 * FONT  # average glyph width of sans-serif text, for layout


def text_width(text: str, size: float = FONT) -> float:
    return len(text) * size * 0.6


def nice_ticks(low: float, high: float, n: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0]
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    raw = (high - low) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(low / step) * step
    ticks, v = [], start
    while v <= high + step * 1e-9:
        ticks.append(round(v, 10))
        v += step
    if ticks[-1] < high:
        ticks.append(round(v, 10))
    return ticks


def _fmt(v: float) -> str:
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace("-", "\u2212")


def esc(s: object) -> str:
    return html.escape(str(s))


class Chart:
    """One chart: a plot area inside margins, a linear value axis, and SVG parts."""

    def __init__(self, width: float, height: float, left: float, bottom: float,
                 top: float = 14, right: float = 16):
        self.w, self.h = width, height
        self.left, self.bottom, self.top, self.right = left, bottom, top, right
        self.parts: list[str] = []
        self.segments: dict[tuple[str, float, str], list[str]] = {}

    @property
    def x0(self) -> float:
        return self.left

    @property
    def x1(self) -> float:
        return self.w - self.right

    @property
    def y0(self) -> float:
        return self.h - self.bottom

    @property
    def y1(self) -> float:
        return self.top

    def add(self, part: str) -> None:
        self.parts.append(part)

    def text(self, x: float, y: float, s: str, anchor: str = "middle", size: float = FONT,
             rotate: bool = False, bold: bool = False) -> None:
        tr = f' transform="rotate(-90 {x:.1f} {y:.1f})"' if rotate else ""
        weight = ' font-weight="bold"' if bold else ""
        self.add(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}"'
                 f"{weight}{tr}>{esc(s)}</text>")

    def line(self, x1, y1, x2, y2, color="#333", width=1.0, dash: str = "") -> None:
        """Segments of one style become one path (far fewer elements for the PDF renderer)."""
        self.segments.setdefault((color, width, dash), []).append(
            f"M{x1:.1f} {y1:.1f}L{x2:.1f} {y2:.1f}")

    def marker(self, x: float, y: float, kind: str, color: str, size: float = 4.5,
               filled: bool = True) -> None:
        fill = color if filled else "white"
        style = f'fill="{fill}" stroke="{color}" stroke-width="1.3"'
        if kind == "square":
            self.add(f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}" '
                     f'height="{2 * size:.1f}" {style}/>')
        elif kind == "triangle":
            self.add(f'<path d="M{x:.1f} {y - size * 1.2:.1f} L{x + size * 1.1:.1f} '
                     f'{y + size * 0.8:.1f} L{x - size * 1.1:.1f} {y + size * 0.8:.1f} Z" '
                     f"{style}/>")
        elif kind == "diamond":
            self.add(f'<path d="M{x:.1f} {y - size * 1.3:.1f} L{x + size * 1.1:.1f} {y:.1f} '
                     f'L{x:.1f} {y + size * 1.3:.1f} L{x - size * 1.1:.1f} {y:.1f} Z" {style}/>')
        else:
            self.add(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" {style}/>')

    def svg(self, title: str) -> str:
        paths = []
        for (color, width, dash), segs in self.segments.items():
            d = f' stroke-dasharray="{dash}"' if dash else ""
            paths.append(f'<path d="{"".join(segs)}" fill="none" stroke="{color}" '
                         f'stroke-width="{width}"{d}/>')
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.w:.0f} '
                f'{self.h:.0f}" width="{self.w:.0f}" height="{self.h:.0f}" '
                f'font-family="DejaVu Sans, sans-serif"><title>{esc(title)}</title>'
                + "".join(paths) + "".join(self.parts) + "</svg>")


def _scale(lo: float, hi: float, a: float, b: float):
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) / span * (b - a)


def _legend(c: Chart, names: Sequence[str], x: float, y: float, dashed: Sequence[bool] = ()):
    for i, name in enumerate(names):
        yy = y + i * 16
        if i < len(dashed) and dashed[i]:
            c.line(x - 8, yy - 4, x + 8, yy - 4, OKABE_ITO[i], 1.2, "4 2")
        c.marker(x, yy - 4, MARKERS[i], OKABE_ITO[i], 4)
        c.text(x + 12, yy, name, anchor="start", size=10)


def month_chart(series: Sequence[tuple[str, Sequence[tuple[int, float, float, float]]]],
                ylabel: str, xlabel: str, title: str, months: int = 12,
                xcats: Sequence[str] | None = None, legend_title: str = "") -> str:
    """Mean and interval by month (or by category, ``xcats``) for one or more series,
    offset so intervals never overlap."""
    if xcats:
        months = len(xcats)
    values = [v for _n, pts in series for p in pts for v in p[1:] if math.isfinite(v)]
    ticks = nice_ticks(min(values, default=0), max(values, default=1))
    legend_w = max([text_width(n, 10) for n, _p in series] + [text_width(legend_title, 10)]
                   ) + 30 if len(series) > 1 or legend_title else 0
    c = Chart(620, 320, left=64, bottom=46, right=16 + legend_w)
    fx = _scale(0.5, months + 0.5, c.x0, c.x1)
    fy = _scale(ticks[0], ticks[-1], c.y0, c.y1)
    for t in ticks:
        c.line(c.x0, fy(t), c.x1, fy(t), "#ddd", 0.6)
        c.text(c.x0 - 6, fy(t) + 4, _fmt(t), anchor="end", size=10)
    for m in range(1, months + 1):
        c.text(fx(m), c.y0 + 16, xcats[m - 1] if xcats else str(m), size=10)
    c.line(c.x0, c.y0, c.x1, c.y0)
    c.line(c.x0, c.y0, c.x0, c.y1)
    c.text((c.x0 + c.x1) / 2, c.h - 8, xlabel, size=10.5)
    c.text(16, (c.y0 + c.y1) / 2, ylabel, rotate=True, size=10.5)
    k = len(series)
    for i, (_name, pts) in enumerate(series):
        for month, mean, lo, hi in pts:
            if not math.isfinite(mean) or month > months:
                continue
            x = fx(month + (i - (k - 1) / 2) * 0.22)
            if math.isfinite(lo) and math.isfinite(hi):
                c.line(x, fy(lo), x, fy(hi), OKABE_ITO[i], 1.2)
                for v in (lo, hi):
                    c.line(x - 3, fy(v), x + 3, fy(v), OKABE_ITO[i], 1.2)
            c.marker(x, fy(mean), MARKERS[i], OKABE_ITO[i], 3.5)
    if k > 1 or legend_title:
        if legend_title:
            c.text(c.x1 + 12, c.y1 + 4, legend_title, anchor="start", size=10, bold=True)
        _legend(c, [n for n, _p in series], c.x1 + 20, c.y1 + 12 + (14 if legend_title else 0))
    return c.svg(title)


def forest_chart(rows: Sequence[tuple], xlabel: str, title: str, ours: str,
                 reference: str) -> str:
    """rows: (label, mean, low, high, meets_conditions, ref or None); ref = (mean, lo, hi)."""
    vals = [v for r in rows for v in r[1:4] if math.isfinite(v)]
    vals += [v for r in rows if r[5] for v in r[5] if math.isfinite(v)]
    ticks = nice_ticks(min(vals + [0.0]), max(vals + [0.0]), 6)
    left = max((text_width(r[0], 10) for r in rows), default=50) + 14
    row_h = 17
    c = Chart(max(640, left + 360), len(rows) * row_h + 96, left=left, bottom=80, top=10)
    fx = _scale(ticks[0], ticks[-1], c.x0, c.x1)
    for t in ticks:
        c.line(fx(t), c.y0, fx(t), c.y1, "#ddd", 0.6)
        c.text(fx(t), c.y0 + 15, _fmt(t), size=10)
    c.line(fx(0), c.y0, fx(0), c.y1, "#777", 1.0)
    c.line(c.x0, c.y0, c.x1, c.y0)
    for i, (name, mean, lo, hi, met, ref) in enumerate(rows):
        y = c.y1 + (i + 0.5) * row_h
        if i % 3 == 0 and i:
            c.line(c.x0 - left + 4, y - row_h / 2, c.x1, y - row_h / 2, "#bbb", 0.5)
        c.text(c.x0 - 8, y + 4, name, anchor="end", size=10)
        if math.isfinite(mean):
            c.line(fx(lo), y - 2, fx(hi), y - 2, OKABE_ITO[0], 1.4)
            c.marker(fx(mean), y - 2, "circle", OKABE_ITO[0], 4, filled=met)
        if ref and all(math.isfinite(v) for v in ref):
            c.line(fx(ref[1]), y + 4, fx(ref[2]), y + 4, OKABE_ITO[1], 1.0, "4 2")
            c.marker(fx(ref[0]), y + 4, "square", OKABE_ITO[1], 2.6)
    c.text((c.x0 + c.x1) / 2, c.y0 + 32, xlabel, size=10.5)
    ly = c.h - 26
    c.marker(c.x0 + 6, ly - 4, "circle", OKABE_ITO[0], 4)
    c.text(c.x0 + 16, ly, ours, anchor="start", size=10)
    c.line(c.x0 - 2, ly + 12, c.x0 + 14, ly + 12, OKABE_ITO[1], 1.0, "4 2")
    c.marker(c.x0 + 6, ly + 12, "square", OKABE_ITO[1], 2.6)
    c.text(c.x0 + 16, ly + 16, reference, anchor="start", size=10)
    return c.svg(title)


def bar_chart(cats: Sequence[str], series: Sequence[tuple[str, Sequence[float]]],
              value_label: str, title: str, horizontal: bool = False) -> str:
    """Grouped bars; each series has its own colour and a pattern-free outline style, and a
    legend; horizontal bars for long category names."""
    if not series or not cats:  # nothing to draw (a tiny or filtered sample): say so
        c = Chart(640, 80, left=16, bottom=16, right=16)
        c.text(320, 45, _("No data for this figure."), size=12)
        return c.svg(title)
    vmax = max((v for _n, vals in series for v in vals), default=1)
    ticks = nice_ticks(0, vmax)
    k = len(series)
    legend_w = max((text_width(n, 10) for n, _v in series), default=0) + 30
    if horizontal:
        left = max((text_width(cat, 10) for cat in cats), default=0) + 14
        band = 12 * k + 8
        c = Chart(max(640, left + 300 + legend_w), len(cats) * band + 60, left=left,
                  bottom=44, right=16 + legend_w)
        fv = _scale(0, ticks[-1], c.x0, c.x1)
        for t in ticks:
            c.line(fv(t), c.y0, fv(t), c.y1, "#ddd", 0.6)
            c.text(fv(t), c.y0 + 15, _fmt(t), size=10)
        for j, cat in enumerate(cats):
            y = c.y1 + j * band + 4
            c.text(c.x0 - 8, y + band / 2, cat, anchor="end", size=10)
            for i, (_n, vals) in enumerate(series):
                c.add(f'<rect x="{c.x0:.1f}" y="{y + i * 12:.1f}" width="'
                      f'{max(fv(vals[j]) - c.x0, 0):.1f}" height="10" fill="{OKABE_ITO[i]}"/>')
        c.line(c.x0, c.y0, c.x0, c.y1)
        c.text((c.x0 + c.x1) / 2, c.h - 10, value_label, size=10.5)
    else:
        c = Chart(620, 320, left=64, bottom=46, right=16 + legend_w)
        fv = _scale(0, ticks[-1], c.y0, c.y1)
        for t in ticks:
            c.line(c.x0, fv(t), c.x1, fv(t), "#ddd", 0.6)
            c.text(c.x0 - 6, fv(t) + 4, _fmt(t), anchor="end", size=10)
        band = (c.x1 - c.x0) / len(cats)
        bw = band * 0.8 / k
        for j, cat in enumerate(cats):
            x = c.x0 + j * band + band * 0.1
            c.text(c.x0 + (j + 0.5) * band, c.y0 + 16, cat, size=10)
            for i, (_n, vals) in enumerate(series):
                c.add(f'<rect x="{x + i * bw:.1f}" y="{fv(vals[j]):.1f}" width="{bw - 1:.1f}" '
                      f'height="{max(c.y0 - fv(vals[j]), 0):.1f}" fill="{OKABE_ITO[i]}"/>')
        c.line(c.x0, c.y0, c.x1, c.y0)
        c.text(16, (c.y0 + c.y1) / 2, value_label, rotate=True, size=10.5)
    for i, (name, _v) in enumerate(series):
        yy = c.y1 + 12 + i * 16
        c.add(f'<rect x="{c.x1 + 12:.1f}" y="{yy - 9:.1f}" width="10" height="10" '
              f'fill="{OKABE_ITO[i]}"/>')
        c.text(c.x1 + 27, yy, name, anchor="start", size=10)
    return c.svg(title)
