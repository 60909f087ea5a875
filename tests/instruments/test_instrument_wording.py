"""Wording spot-checks against the evaluation's appendices 3.1-3.3, and the codebook."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from peerlog.instruments import codebook, load_all, load_instrument

MONTHLY = load_instrument("monthly").rendered()


def test_swemwbs_wording() -> None:
    items = MONTHLY.items
    assert items["swemwbs_1"].text == "I've been feeling optimistic about the future"
    assert items["swemwbs_7"].text == "I've been able to make up my own mind about things"
    assert [(o.value, o.text) for o in items["swemwbs_1"].options] == [
        (1, "None of the time"), (2, "Rarely"), (3, "Some of the time"), (4, "Often"),
        (5, "All of the time")]
    assert "over the last 2 weeks" in MONTHLY.groups["swemwbs"].instructions


def test_hhi_wording() -> None:
    items = MONTHLY.items
    assert items["hhi_3"].text == "I feel all alone"
    assert items["hhi_6"].text == "I feel scared about my future"
    assert items["hhi_12"].text == "I feel like my life has value and worth"
    assert [o.text for o in items["hhi_1"].options] == [
        "Strongly Disagree", "Disagree", "Agree", "Strongly Agree"]


def test_peer_support_row_labels() -> None:
    rows = [r.text for g in ("ps_informal", "ps_project") for r in MONTHLY.groups[g].rows]
    assert rows == [
        "Informal peer support",
        "One-to-one peer support",
        "Peer support pairs",
        "Peer support groups",
        "Peer-led or facilitated groups",
        "Peer support networks",
        "Elefriends online peer support network",
        "Other online peer support",
    ]
    assert [c.text for c in MONTHLY.groups["ps_project"].columns] == [
        "Giving support", "Receiving support"]
    assert "number of times in the last month" in MONTHLY.groups["ps_informal"].instructions


def test_eq5d_level_texts() -> None:
    items = MONTHLY.items
    assert [o.text for o in items["eq5d_mobility"].options] == [
        "I have no problems in walking about", "I have some problems in walking about",
        "I am confined to bed"]
    assert [o.text for o in items["eq5d_selfcare"].options] == [
        "I have no problems with self-care", "I have some problems washing or dressing myself",
        "I am unable to wash or dress myself"]
    assert items["eq5d_pain"].options[2].text == "I have extreme pain or discomfort"
    assert items["eq5d_anxiety"].options[1].text == "I am moderately anxious or depressed"
    assert items["health_today"].text == "How good or bad is your own health today?"
    assert [o.value for o in items["health_today"].options] == list(range(1, 11))


def test_lubben_and_mhses_wording() -> None:
    items = MONTHLY.items
    assert items["lsns_friends_2"].text == (
        "How many friends do you feel at ease with that you can talk about private matters?")
    assert items["mhses_4"].text == "You can make your days at least moderately enjoyable?"
    assert [o.value for o in items["mhses_1"].options] == list(range(1, 11))


def test_registration_wording() -> None:
    reg = load_instrument("registration").rendered()
    items = reg.items
    assert items["consent_reminders"].text == (
        "I agree to receive monthly reminders about the Peer Support Log")
    assert items["region"].options[-1].text == "Elefriends"
    assert items["area"].options[1].text == "Small-medium sized town"
    assert items["uses_mh_services"].text == (
        "Do you use formal mental health services (i.e. a Community Mental Health Team)?")
    assert "£25 for individuals and £50 for projects" in reg.intro


def test_quarterly_wording() -> None:
    items = load_instrument("quarterly").items
    assert items["econ_status"].options[0].text == "Paid or self-employed (full-time)"
    assert items["econ_unemployed_weeks"].text.startswith(
        "How many weeks have you been unemployed in the last 3 months")
    assert [o.text for o in items["med_change"].options] == [
        "Decreased", "Stayed the same", "Increased"]
    assert items["service_crisis_team_contacts"].text == (
        "Crisis Resolution / Home Treatment Team – Total number of contacts / appointments in "
        "the last 3 months")


# ---------------------------------------------------------------- codebook


def test_codebook_rows() -> None:
    rows = {r["item"]: r for r in codebook.rows(load_instrument("registration"))}
    assert rows["contact_email"]["contact"] is True
    assert rows["region"]["contact"] is False
    assert rows["gender"]["options"] == (
        "male=Male; female=Female; prefer_not_to_say=Prefer not to say; other=Other")
    assert rows["region"]["options"].endswith("elefriends=Elefriends")
    assert rows["consent_information"]["optional"] is False
    assert rows["mh_services_years"]["ask_if"] == "uses_mh_services in yes"
    assert set(codebook.COLUMNS) >= {"instrument", "section", "item", "type", "text", "options",
                                     "optional", "contact"}


def test_codebook_count_items_document_ticks() -> None:
    rows = {r["item"]: r for r in codebook.rows(load_instrument("monthly"))}
    assert rows["ps_pairs_given"]["options"] == "ticked=box ticked instead of a number"
    assert rows["ps_pairs_given"]["max"] == 999


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_codebook_csv(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "codebook.csv"
    instruments = list(load_all().values())
    n = codebook.write_csv(path, instruments, language=lang)
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert n == len(rows) == sum(len(i.items) for i in instruments)
    assert all(r["text"] and "{" not in r["text"] for r in rows)
    hhi3 = next(r for r in rows if r["instrument"] == "monthly" and r["item"] == "hhi_3")
    assert hhi3["text"] == ("I feel all alone" if lang == "en" else "أشعر بالوحدة التامة")


def test_cli_check_codebook_and_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    import yaml

    from peerlog.cli import main
    from peerlog.instruments import translation_catalog

    assert main(["instruments", "check"]) == 0
    assert "ok  quarterly_short  ar" in capsys.readouterr().out
    assert main(["instruments", "codebook", "--out", str(tmp_path / "cb.csv")]) == 0
    assert (tmp_path / "cb.csv").read_text("utf-8").startswith("instrument,kind,version")
    assert main(["instruments", "template", "--language", "ur",
                 "--out", str(tmp_path / "ur.yaml")]) == 0
    template = yaml.safe_load((tmp_path / "ur.yaml").read_text("utf-8"))
    assert template["strings"] == translation_catalog()
    assert template["language"]["status"] == "unvalidated"
