"""The line charts of "My progress", laid out on the server (an SVG the template draws: no
JavaScript), with a score axis, a date axis and the dates written out.

Time runs in the reading direction: left to right, or right to left on right-to-left pages.
The chart is mirrored here, point by point, rather than by flipping the drawing in CSS, so
the numbers and dates stay readable and each marker stays at its own date and score. The SVG
is laid out left to right (``direction="ltr"``) with explicit text anchors, so no
right-to-left page can move a label; only the words (dates, the axis title) are written in
the page's direction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import dateformat

WIDTH, HEIGHT = 320, 190
PAD_AXIS, PAD_END, PAD_TOP, PAD_BOTTOM = 34, 14, 12, 40


def chart(points: Sequence[tuple[dt.date, float | None]], low: float, high: float,
          rtl: bool = False) -> dict | None:
    """Layout of one score's chart, or None under two scores (a line needs two)."""
    known = [(day, value) for day, value in points if value is not None]
    if len(known) < 2:
        return None
    first, last = known[0][0], known[-1][0]
    span = (last - first).days
    inner_w = WIDTH - PAD_AXIS - PAD_END
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def x_of(index: int, day: dt.date) -> float:
        share = (day - first).days / span if span else index / (len(known) - 1)
        x = PAD_AXIS + share * inner_w
        return round(WIDTH - x if rtl else x, 1)

    def y_of(value: float) -> float:
        return round(PAD_TOP + (high - value) * inner_h / (high - low), 1)

    dots = [(x_of(i, day), y_of(value)) for i, (day, value) in enumerate(known)]
    axis_x = WIDTH - PAD_AXIS if rtl else PAD_AXIS
    end_x = PAD_END if rtl else WIDTH - PAD_END
    bottom = HEIGHT - PAD_BOTTOM
    middle = (low + high) / 2
    ticks = [{"label": _number(v), "y": y_of(v)} for v in (high, middle, low)]
    # The score labels sit outside the plot, next to the score axis.
    tick_x, tick_anchor = (axis_x + 6, "start") if rtl else (axis_x - 6, "end")
    first_x, last_x = dots[0][0], dots[-1][0]
    # Dates are words: each is written in the page's direction (so "14 مارس 2026" reads
    # right), and "start" is then the side of its marker nearer the score axis either way.
    dates = [
        {"label": dateformat.format(first, "j M Y"), "x": first_x, "anchor": "start"},
        {"label": dateformat.format(last, "j M Y"), "x": last_x, "anchor": "end"},
    ]
    return {
        "width": WIDTH, "height": HEIGHT, "points": " ".join(f"{x},{y}" for x, y in dots),
        "dots": dots, "ticks": ticks, "tick_x": tick_x, "tick_anchor": tick_anchor,
        "axis_x": axis_x, "end_x": end_x, "top": PAD_TOP, "bottom": bottom,
        "dates": dates, "date_y": bottom + 18, "title_y": HEIGHT - 4,
        "title_x": WIDTH / 2, "first": known[0], "last": known[-1],
        "text_direction": "rtl" if rtl else "ltr",
    }


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
