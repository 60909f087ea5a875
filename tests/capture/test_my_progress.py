"""My progress explains itself (issue 10 item 8): each score in words, a chart with a score
axis and dates laid out on the server, mirrored point by point in right-to-left."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation

from peerlog.capture import links
from peerlog.capture.progress_chart import (
    HEIGHT,
    PAD_AXIS,
    PAD_BOTTOM,
    PAD_END,
    PAD_TOP,
    WIDTH,
    chart,
)
from peerlog.capture.services import store_log

DAYS = [dt.date(2026, 1, 10), dt.date(2026, 2, 10), dt.date(2026, 4, 11)]


def test_markers_sit_at_their_dates_and_scores():
    with translation.override("en"):
        layout = chart([(DAYS[0], 7), (DAYS[1], None), (DAYS[2], 35)], 7, 35)
    (x1, y1), (x2, y2) = layout["dots"]
    assert (x1, x2) == (PAD_AXIS, WIDTH - PAD_END)  # first date at the axis, last at the end
    assert (y1, y2) == (HEIGHT - PAD_BOTTOM, PAD_TOP)  # lowest score at the bottom
    middle = chart([(d, 21) for d in DAYS], 7, 35)["dots"][1][0]
    share = (DAYS[1] - DAYS[0]).days / (DAYS[2] - DAYS[0]).days
    assert middle == round(PAD_AXIS + share * (WIDTH - PAD_AXIS - PAD_END), 1)  # by time
    assert [t["label"] for t in layout["ticks"]] == ["35", "21", "7"]
    assert [d["label"] for d in layout["dates"]] == ["10 Jan 2026", "11 Apr 2026"]


def test_right_to_left_mirrors_points_and_keeps_labels_with_them():
    values = [(DAYS[0], 10), (DAYS[1], 20), (DAYS[2], 30)]
    ltr, rtl = chart(values, 7, 35), chart(values, 7, 35, rtl=True)
    assert [(WIDTH - x, y) for x, y in ltr["dots"]] == [(x, y) for x, y in rtl["dots"]]
    assert rtl["dots"][0][0] > rtl["dots"][-1][0]  # the first log on the right
    assert rtl["axis_x"] == WIDTH - PAD_AXIS and rtl["tick_anchor"] == "start"
    assert [d["x"] for d in rtl["dates"]] == [rtl["dots"][0][0], rtl["dots"][-1][0]]
    # Dates are written right to left, so "start" is their right end: inside the chart.
    assert rtl["text_direction"] == "rtl" and ltr["text_direction"] == "ltr"
    assert [d["anchor"] for d in rtl["dates"]] == ["start", "end"]


def test_one_score_draws_no_line():
    assert chart([(DAYS[0], 20), (DAYS[1], None)], 7, 35) is None


def logs_for(person, scores):
    for i, (day, value) in enumerate(zip(DAYS, scores, strict=True)):
        store_log(scope=None, instrument="monthly",
                  answers={f"swemwbs_{n}": value for n in range(1, 8)},
                  typed_personal_id=person.personal_id.code, completed_on=day,
                  mode="online", submission_key=f"progress-{person.pk}-{i}")


@pytest.mark.django_db
@pytest.mark.parametrize("language,first_side", [("en", "left"), ("ar", "right")])
def test_page_explains_each_score_and_draws_dates(client, participant_factory, language,
                                                  first_side):
    person = participant_factory(language=language)
    logs_for(person, [1, 3, 5])
    html = client.get(f"/l/{links.new_token(person, 'test')}/progress/").content.decode()
    svg = re.search(r"<svg class=\"chart\".*?</svg>", html, re.S).group(0)
    assert 'direction="ltr"' in svg and 'role="img"' in svg and "<desc" in svg
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    assert len(xs) == 3
    assert (xs[0] < xs[-1]) == (first_side == "left")
    assert len(re.findall(r"<text ", svg)) == 3 + 2 + 1  # score ticks, two dates, axis title
    assert html.count("<tr>") == 4  # header + three logs: the text alternative
    if language == "en":
        assert "It goes from 7 to 35. A higher score means better wellbeing." in html
        assert "It goes from 12 to 48. A higher score means more hope." in html
        assert "10 Jan 2026" in svg and "11 Apr 2026" in svg
    else:
        assert "A higher score" not in html and "Date of the log" not in html
