"""items.csv / items_wide.csv / .sav / .dta: every answer, labelled; free text only on request."""

import csv
import datetime as dt

import pandas as pd
import pyreadstat
import pytest

from peerlog.capture.models import AuditEvent, Participant
from peerlog.capture.services import store_log
from peerlog.cli import main
from peerlog.export import items

from .test_contract_export import full_answers

pytestmark = pytest.mark.django_db

QUARTERLY = {
    "econ_status": ["part_time", "voluntary"], "econ_occupation": "Cook at Jane Doe's cafe",
    "econ_work_hours": 16, "med_taken": "prefer_not_to_answer",
    "inpatient_mental_health_admissions": 1, "inpatient_mental_health_nights": 4,
    "service_gp_contacts": 2, "service_gp_minutes": 10, "family_hours": 3,
    "service_comments": "My nurse Mary Smith was kind",
}


@pytest.fixture
def logs(participant_factory, project_factory):
    project = project_factory(region="Leeds")
    kept = participant_factory(project=project)
    gone = participant_factory(project=project, withdrawal=Participant.Withdrawal.REMOVE_DATA)
    store_log(scope=None, instrument="quarterly", answers=full_answers(**QUARTERLY),
              typed_personal_id=kept.personal_id.code, completed_on=dt.date(2016, 3, 1),
              mode="online", submission_key="q1")
    store_log(scope=None, instrument="monthly", answers=full_answers(ps_informal_given="ticked"),
              typed_personal_id=kept.personal_id.code, completed_on=dt.date(2016, 4, 1),
              mode="paper", submission_key="m1")
    store_log(scope=None, instrument="quarterly", answers=full_answers(**QUARTERLY),
              typed_personal_id=gone.personal_id.code, completed_on=dt.date(2016, 3, 2),
              mode="online", submission_key="q2")
    return kept, gone


def read(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_items_long_and_wide_hold_every_answer_without_free_text(logs, tmp_path):
    kept, gone = logs
    assert main(["export", "--out", str(tmp_path)]) == 0
    rows = read(tmp_path / "items.csv")
    assert list(rows[0])[:10] == ["log_id", "personal_id", "completed_on", "instrument",
                                  "version", "language", "mode", "item", "value",
                                  "value_label"]
    assert {r["personal_id"] for r in rows} == {kept.personal_id.code}  # removal honoured
    q = [r for r in rows if r["instrument"] == "quarterly"]
    by_item = {}
    for r in q:
        by_item.setdefault(r["item"], []).append((r["value"], r["value_label"]))
    assert by_item["econ_status"] == [("part_time", "Paid or self-employed (part-time)"),
                                      ("voluntary", "Voluntary work (unpaid)*")]
    assert by_item["inpatient_mental_health_nights"] == [("4", "")]
    assert by_item["med_taken"] == [("prefer_not_to_answer", "Prefer not to answer")]
    assert by_item["eq5d_activities"] == [("2", "I have some problems with performing my "
                                                 "usual activities")]
    m = [r for r in rows if r["instrument"] == "monthly"]
    assert ("ps_informal_given", "ticked", "box ticked, no number") in {
        (r["item"], r["value"], r["value_label"]) for r in m}
    # free text (which may hold names) is left out by default, everywhere
    blob = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for secret in (b"Jane Doe", b"Mary Smith"):
        assert secret not in blob
    assert "econ_occupation" not in by_item

    wide = pd.read_csv(tmp_path / "items_wide.csv", dtype=str, keep_default_na=False)
    assert len(wide) == 2
    row = wide[wide["instrument"] == "quarterly"].iloc[0]
    assert (row["econ_status_part_time"], row["econ_status_voluntary"],
            row["econ_status_full_time"]) == ("1", "1", "0")
    assert row["service_gp_contacts"] == "2" and row["service_cmht_contacts"] == ""
    assert "econ_occupation" not in wide.columns
    event = AuditEvent.objects.filter(action="export").latest("at")
    assert event.detail["include_free_text"] is False
    assert event.detail["items"] == len(rows)


def test_spss_and_stata_copies_carry_labels_and_missing_codes(logs, tmp_path):
    main(["export", "--out", str(tmp_path)])
    sav, meta = pyreadstat.read_sav(tmp_path / "items_wide.sav", user_missing=True)
    q = sav[sav["instrument"] == "quarterly"].iloc[0]
    m = sav[sav["instrument"] == "monthly"].iloc[0]
    assert m["ps_informal_given"] == items.TICK_CODE
    assert meta.variable_value_labels["ps_informal_given"][-1] == "box ticked, no number"
    assert meta.missing_ranges["ps_informal_given"] == [{"lo": -1.0, "hi": -1.0}]
    assert q["med_taken"] == items.PREFER_NOT_CODE
    assert meta.variable_value_labels["med_taken"] == {
        1: "Yes", 2: "No", -9: "Prefer not to answer"}
    assert {"lo": -9.0, "hi": -9.0} in meta.missing_ranges["med_taken"]
    assert q["inpatient_mental_health_nights"] == 4
    assert meta.variable_value_labels["eq5d_mobility"][1] == "I have no problems in walking about"
    # without user_missing the codes read as missing, so they are never averaged
    plain, _ = pyreadstat.read_sav(tmp_path / "items_wide.sav")
    assert plain.loc[plain["instrument"] == "monthly", "ps_informal_given"].isna().all()
    dta, dmeta = pyreadstat.read_dta(tmp_path / "items_wide.dta")
    assert all(len(c) <= 26 for c in dta.columns)
    assert "svc_compl_therapist_n" in dta.columns
    assert dmeta.column_names_to_labels["svc_compl_therapist_n"].startswith(
        "service_complementary_therapist_contacts")
    assert dta.loc[dta["instrument"] == "quarterly", "service_gp_contacts"].iloc[0] == 2


def test_include_free_text_is_opt_in_and_audited(logs, tmp_path):
    assert main(["export", "--out", str(tmp_path), "--include-free-text", "--csv-only",
                 "--actor", "dr-analyst"]) == 0
    rows = read(tmp_path / "items.csv")
    texts = {r["item"]: r["value"] for r in rows}
    assert texts["econ_occupation"] == "Cook at Jane Doe's cafe"
    assert texts["service_comments"] == "My nurse Mary Smith was kind"
    wide = pd.read_csv(tmp_path / "items_wide.csv", dtype=str, keep_default_na=False)
    assert "econ_occupation" in wide.columns
    assert not (tmp_path / "items_wide.sav").exists()
    event = AuditEvent.objects.filter(action="export").latest("at")
    assert event.detail["include_free_text"] is True
    assert event.actor_label == "dr-analyst"


def test_the_codebook_covers_every_exported_item(logs, tmp_path):
    main(["export", "--out", str(tmp_path), "--csv-only", "--include-free-text"])
    codebook = {r["item"] for r in read(tmp_path / "codebook.csv")}
    assert {i.code for i in items.exported_items(True)} <= codebook


def test_console_downloads_central_researcher_only_and_audited(logs, client, make_staff,
                                                               tmp_path):
    from peerlog.staff.models import Role

    kept, gone = logs
    for role in (Role.COORDINATOR, Role.REGIONAL_RESEARCHER, Role.COMMISSIONER,
                 Role.ADMINISTRATOR):
        client.force_login(make_staff(role))
        response = client.get("/staff/exports/items/items.csv")
        assert response.status_code == 403
        assert b"log_id" not in response.content
    assert not AuditEvent.objects.filter(action="export").exists()
    researcher = make_staff(Role.CENTRAL_RESEARCHER, name="central-r")
    client.force_login(researcher)
    page = client.get("/staff/exports/items/")
    assert page.status_code == 200 and b"items_wide.sav" in page.content
    response = client.get("/staff/exports/items/items.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert kept.personal_id.code in body and gone.personal_id.code not in body
    assert "inpatient_mental_health_nights" in body
    assert "Jane Doe" not in body and "Mary Smith" not in body
    event = AuditEvent.objects.filter(action="export").latest("at")
    assert (event.actor_label, event.target_type, event.detail["via"]) == (
        "central-r", "items.csv", "staff console")
    sav = b"".join(client.get("/staff/exports/items/items_wide.sav").streaming_content)
    path = tmp_path / "dl.sav"
    path.write_bytes(sav)
    frame, meta = pyreadstat.read_sav(path)
    assert len(frame) == 2 and set(frame["personal_id"]) == {kept.personal_id.code}
    assert client.get("/staff/exports/items/secrets.txt").status_code == 404
    assert AuditEvent.objects.filter(action="export").count() == 2


def test_exported_items_feed_the_economics(logs, tmp_path, capsys):
    """From the database to costs: peerlog export, then peerlog analyse --unit-costs."""
    from pathlib import Path

    from peerlog.analysis import economics

    example = Path(economics.__file__).parent / "data" / "unit_costs_example.csv"
    assert main(["export", "--out", str(tmp_path), "--csv-only"]) == 0
    out = tmp_path / "results"
    assert main(["analyse", str(tmp_path), "-o", str(out), "--unit-costs", str(example),
                 "--no-pdf", "--no-figures", "--quiet"]) == 0, capsys.readouterr().err
    costs = pd.read_csv(out / "costs.csv")
    assert len(costs) == 1  # the quarterly log of the participant who stayed
    row = costs.iloc[0]
    # MH nights 4 x 400 + GP 2 contacts x 10 min x 4.00; other stays and visits left blank
    assert row["total_hsc_known"] == 1680.0
    assert pd.isna(row["total_hsc"]) and row["missing_items"] > 0
    assert row["note"] == "illustrative, not for reporting"
    use = pd.read_csv(out / "service_use.csv", dtype=str, keep_default_na=False)
    assert set(use["personal_id"]) == {logs[0].personal_id.code}


def test_exports_page_links_the_item_level_and_economics_downloads(client, make_staff):
    from peerlog.staff.models import Role

    client.force_login(make_staff(Role.CENTRAL_RESEARCHER))
    page = client.get("/staff/exports/").content.decode()
    assert 'href="/staff/exports/items/"' in page and 'href="/staff/reports/"' in page
    assert "costs.csv" in page
    client.force_login(make_staff(Role.COMMISSIONER, name="comm"))
    response = client.get("/staff/exports/")
    assert response.status_code == 403 and b"/staff/exports/items/" not in response.content


def test_demo_report_has_illustrative_economics_and_is_reused_until_items_change(
        logs, tmp_path, capsys):
    """The demo's analysis runs the economics on the example unit costs; a second run reuses
    the report, and a changed service-use answer (items_wide.csv only) redoes it."""
    from peerlog.capture.models import Log
    from peerlog.web.demo import _demo_report

    data, report = tmp_path / "data", tmp_path / "report"
    html = _demo_report(data, report)
    page = html.read_text(encoding="utf-8")
    assert "Health economics" in page and "illustrative, not for reporting" in page
    costs = pd.read_csv(report / "costs.csv")
    assert costs["total_hsc_known"].tolist() == [1680.0]
    assert "Running the analysis" in capsys.readouterr().out
    # The reproducibility block names every file the demo's analysis read, with its hash.
    import hashlib

    digest = hashlib.sha256((data / "items_wide.csv").read_bytes()).hexdigest()
    assert f"SHA-256 {digest}" in page
    assert "Input unit costs" in page and "Input logs.csv" in page
    assert _demo_report(data, report) == html
    assert "up to date: reusing" in capsys.readouterr().out
    logs_csv = (data / "logs.csv").read_text()
    log = Log.objects.get(submission_key="q1")
    log.answers["service_gp_contacts"] = 3
    log.save(update_fields=["answers"])
    _demo_report(data, report)
    assert "Running the analysis" in capsys.readouterr().out
    assert (data / "logs.csv").read_text() == logs_csv  # only the items changed
    assert pd.read_csv(report / "costs.csv")["total_hsc_known"].tolist() == [1720.0]
