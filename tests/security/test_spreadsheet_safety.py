"""Issue 9, item 8: exports are safe to open in a spreadsheet.

The attack from the report: paper-entry IDs such as ``=cmd|'/Ccalc'!A0`` were stored and
written verbatim to ``logs.csv`` (console download and ``peerlog export``) and ``.sav``.
Now the personal-ID field takes digits only, and every text cell of every CSV (and every
string value of the SPSS and Stata files) that starts like a formula is neutralised with a
leading apostrophe, while numbers such as ``-0.594`` stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pyreadstat
import pytest
from django.utils import timezone
from tests.conftest import monthly_answers

from peerlog.capture import personal_ids
from peerlog.capture.models import Log, Region
from peerlog.capture.services import store_log
from peerlog.cli import main
from peerlog.export.contract import FORMULA_STARTS, safe_cell

HOSTILE = ["=cmd|'/Ccalc'!A0", "+1+1", "@SUM(1+1)", '=HYPERLINK("//x")', "-2+3", "\t=1+1",
           "\r=1+1"]
RECENT = timezone.localdate() - dt.timedelta(days=2)


def paper(pid: str) -> dict:
    return {"id-personal_id": pid, "id-date_completed": RECENT.strftime("%d/%m/%Y"),
            "peer_support-ps_informal_given": "3", "wellbeing-swemwbs_1": "5",
            "submission_key": "k",
            # a made-up ID, not issued to the project: the typist confirms it as written
            "id-confirm_id": "on"}


@pytest.mark.parametrize("pid", HOSTILE)
def test_paper_entry_refuses_an_id_that_is_not_digits(client, world, pid):
    client.force_login(world.staff["coordinator"])
    before = Log.objects.count()
    response = client.post(f"/staff/entry/{world.a.pk}/monthly/en/", paper(pid))
    body = response.content.decode()
    assert response.status_code == 400 and Log.objects.count() == before
    assert "A personal ID has digits only" in body
    # What was typed elsewhere is kept on the page.
    assert 'name="peer_support-ps_informal_given" value="3"' in body
    assert re.search(r'name="wellbeing-swemwbs_1" value="5" id="[^"]+" checked', body)


@pytest.mark.parametrize(("typed", "stored"), [
    ("483 920", "483920"), ("483-920", "483920"), ("٤٨٣٩٢٠", "483920"),
    ("۴۸۳۹۲۰", "483920"), ("４８３９２０", "483920"), ("483\u2013920", "483920"),
])
def test_digits_of_other_scripts_and_separators_are_normalised(client, world, typed, stored):
    assert personal_ids.clean(typed) == stored
    client.force_login(world.staff["coordinator"])
    response = client.post(f"/staff/entry/{world.a.pk}/monthly/en/", paper(typed))
    assert response.status_code == 302
    assert Log.objects.get(mode="paper", entered_by=world.staff["coordinator"]
                           ).typed_personal_id == stored


@pytest.mark.parametrize("raw", ["²³", "1²", "12a", "", "   ", "1" * 21, "=1", "\x00"])
def test_clean_refuses_what_is_not_an_id(raw):
    assert personal_ids.clean(raw) is None
    assert isinstance(personal_ids.normalise(raw), str)  # never raises


def test_safe_cell_keeps_numbers_and_neutralises_formulas():
    for number in ("-0.25", "-1", "+3", "-0.594", "-1e5", "0", "12"):
        assert safe_cell(number) == number
    for text in HOSTILE:
        assert safe_cell(text) == "'" + text
    assert safe_cell(-1) == -1 and safe_cell(None) is None
    assert safe_cell("'=already") == "'=already"


@pytest.fixture
def hostile_world(world):
    """Rows that reached the database before the fix (or from an import): hostile typed IDs
    on unregistered logs, a hostile region name, and a negative EQ-5D index."""
    for n, pid in enumerate(HOSTILE):
        log, _ = store_log(instrument="monthly", answers=monthly_answers(), scope=None,
                           typed_personal_id="0", completed_on=RECENT, mode="paper",
                           submission_key=f"legacy-{n}")
        Log.objects.filter(pk=log.pk).update(typed_personal_id=pid)  # as the old code stored
    worst = monthly_answers(eq5d_mobility=3, eq5d_selfcare=3, eq5d_activities=3, eq5d_pain=3,
                            eq5d_anxiety=3)
    store_log(instrument="monthly", answers=worst, scope=None,
              typed_personal_id=world.pa.personal_id.code, completed_on=RECENT, mode="online",
              submission_key="worst")
    Region.objects.filter(pk=world.a.region_id).update(name='=HYPERLINK("//x")')
    return world


def cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def assert_safe(all_cells: list[str]) -> None:
    for cell in all_cells:
        if cell.startswith(FORMULA_STARTS):
            assert safe_cell(cell) == cell, f"formula-like cell {cell!r}"


def test_console_downloads_neutralise_formulas(client, hostile_world):
    w = hostile_world
    client.force_login(w.staff["central_researcher"])
    logs = cells(client.get("/staff/exports/logs.csv").content.decode())
    people = cells(client.get("/staff/exports/participants.csv").content.decode())
    for pid in HOSTILE:
        assert "'" + pid in logs and pid not in logs
    assert '\'=HYPERLINK("//x")' in people and '=HYPERLINK("//x")' not in people
    assert "-0.594" in logs  # a negative index is a number, left alone
    monitoring = cells(client.get("/staff/monitoring/logs.csv").content.decode())
    assert '\'=HYPERLINK("//x")' in monitoring
    audit = cells(client.get("/staff/audit/?format=csv").content.decode())
    for every in (logs, people, monitoring, audit):
        assert_safe(every)


def test_peerlog_export_files_neutralise_formulas(hostile_world, tmp_path):
    assert main(["export", "--out", str(tmp_path)]) == 0
    with (tmp_path / "logs.csv").open(newline="", encoding="utf-8") as handle:
        logs = list(csv.DictReader(handle))
    typed = {row["personal_id"] for row in logs}
    assert {"'" + pid for pid in HOSTILE} <= typed and not set(HOSTILE) & typed
    assert "-0.594" in {row["eq5d_index"] for row in logs}
    people = cells((tmp_path / "participants.csv").read_text(encoding="utf-8"))
    assert '\'=HYPERLINK("//x")' in people
    for name in ("logs.csv", "participants.csv", "codebook.csv"):
        assert_safe(cells((tmp_path / name).read_text(encoding="utf-8")))
    # SPSS and Stata: every string value, and every value label, is safe too.
    for name in ("logs", "participants"):
        for suffix, reader in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
            frame, meta = reader(str(tmp_path / f"{name}.{suffix}"))
            strings = [v for c in frame.columns for v in frame[c].dropna()
                       if isinstance(v, str)]
            labels = [v for mapping in meta.variable_value_labels.values()
                      for v in mapping.values()]
            assert_safe([str(v) for v in strings + labels])
            if name == "logs":
                assert "'+1+1" in strings and "+1+1" not in strings
            else:
                assert '\'=HYPERLINK("//x")' in strings + labels
