"""Loading, validation, fixed item codes, short versions and translations."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from peerlog.instruments import (
    PREFER_NOT,
    TICKED,
    DefinitionError,
    clear_cache,
    languages,
    load_all,
    load_file,
    load_instrument,
    render_text,
    translation_catalog,
)
from peerlog.instruments.loader import DEFINITIONS_DIR, TRANSLATIONS_DIR, TRANSLATIONS_ENV

PS_TYPES = ("informal", "one_to_one", "pairs", "groups", "peer_led_groups", "networks",
            "elefriends", "other_online")
LOG_CODES = (
    ["personal_id", "date_completed", "projects_attended", "project_names"]
    + [f"ps_{t}_{d}" for t in PS_TYPES for d in ("given", "received")]
    + [f"swemwbs_{n}" for n in range(1, 8)]
    + ["eq5d_mobility", "eq5d_selfcare", "eq5d_activities", "eq5d_pain", "eq5d_anxiety",
       "health_today"]
)
FULL_LOG_CODES = (
    LOG_CODES
    + [f"hhi_{n}" for n in range(1, 13)]
    + [f"lsns_{b}_{n}" for b in ("family", "friends", "neighbours") for n in range(1, 4)]
    + [f"mhses_{n}" for n in range(1, 7)]
)
REGISTRATION_CODES = [
    "consent_information", "consent_reminders", "consent_data_use", "personal_id",
    "date_completed", "contact_channels", "contact_phone", "contact_email", "contact_postal",
    "region", "project", "age_band", "gender", "gender_other", "transgender_history",
    "sexual_orientation", "sexual_orientation_other", "ethnicity", "ethnicity_other", "area", "uses_mh_services", "mh_services_years", "physical_condition",
    "learning_disability", "transport_pass", "interview_interest", "prize_draw",
]
SHORT_QUARTERLY_ECON = [
    "inpatient_mental_health_admissions", "inpatient_mental_health_nights",
    "inpatient_physical_health_admissions", "inpatient_physical_health_nights",
    "inpatient_maternity_admissions", "inpatient_maternity_nights",
    "inpatient_residential_care_admissions", "inpatient_residential_care_nights",
    "visits_ae_mental_health", "visits_ae_physical_health",
    "service_cmht_contacts", "service_cmht_minutes", "service_crisis_team_contacts",
    "service_crisis_team_minutes", "service_gp_contacts", "service_gp_minutes",
]


def test_constants() -> None:
    assert TICKED == "ticked" and PREFER_NOT == "prefer_not_to_answer"


def test_shipped_instruments_kinds_versions() -> None:
    got = {c: (i.kind, i.version) for c, i in load_all().items()}
    assert got == {
        "registration": ("registration", "full"),
        "monthly": ("monthly", "full"),
        "quarterly": ("quarterly", "full"),
        "monthly_short": ("monthly", "short"),
        "quarterly_short": ("quarterly", "short"),
    }


@pytest.mark.parametrize("lang", [lang.code for lang in languages()])
@pytest.mark.parametrize("code", ["registration", "monthly", "quarterly", "monthly_short",
                                  "quarterly_short"])
def test_every_instrument_loads_in_every_language(code: str, lang: str) -> None:
    inst = load_instrument(code, lang)
    english = load_instrument(code)
    assert inst.language == lang
    assert list(inst.items) == list(english.items)  # same codes, same order
    for item in inst.items.values():
        assert item.text.strip()
        assert [o.value for o in item.options] == [o.value for o in english.items[item.code].options]


def test_load_is_cached() -> None:
    assert load_instrument("monthly") is load_instrument("monthly")


def test_registration_codes_fixed() -> None:
    reg = load_instrument("registration")
    assert list(reg.items) == REGISTRATION_CODES


def test_registration_option_codes() -> None:
    items = load_instrument("registration").items
    values = {code: [o.value for o in items[code].options] for code in (
        "region", "age_band", "gender", "transgender_history", "sexual_orientation", "area",
        "prize_draw", "contact_channels", "consent_information", "uses_mh_services")}
    assert values == {
        "region": ["suffolk", "coventry", "northamptonshire", "leeds", "blackpool",
                   "southampton", "plymouth", "middlesbrough", "kensington_chelsea", "elefriends"],
        "age_band": ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"],
        "gender": ["male", "female", "prefer_not_to_say", "other"],
        "transgender_history": ["no", "yes", "not_sure", "prefer_not_to_say"],
        "sexual_orientation": ["heterosexual", "lesbian_gay", "bisexual",
                               "prefer_not_to_say", "other"],
        "area": ["city", "town", "rural"],
        "prize_draw": ["enter", "do_not_enter"],
        "contact_channels": ["email", "sms", "post"],
        "consent_information": ["yes", "no"],
        "uses_mh_services": ["yes", "no"],
    }


def test_ethnicity_codes_and_broad_groups() -> None:
    options = {o.value: o.group for o in load_instrument("registration").items["ethnicity"].options}
    assert len(options) == 19
    assert {options[c] for c in ("white_british", "white_irish", "white_eastern_european",
                                 "white_other")} == {"white"}
    assert {options[c] for c in ("black_caribbean", "black_african", "black_other")} == {"black"}
    assert options["asian_pakistani"] == "asian" and options["arab"] == "other"
    assert set(options.values()) == {"white", "black", "asian", "other"}


def test_registration_flags() -> None:
    items = load_instrument("registration").items
    assert [c for c, i in items.items() if i.contact] == [
        "contact_phone", "contact_email", "contact_postal"]
    assert [c for c, i in items.items() if not i.optional] == [
        "consent_information", "consent_reminders", "consent_data_use", "personal_id"]
    years = items["mh_services_years"]
    assert years.type == "integer" and years.ask_if is not None
    assert years.ask_if.applies({"uses_mh_services": "yes"})
    assert not years.ask_if.applies({"uses_mh_services": "no"})


@pytest.mark.parametrize("code", ["monthly", "quarterly"])
def test_full_log_codes(code: str) -> None:
    items = load_instrument(code).items
    assert [c for c in FULL_LOG_CODES if c not in items] == []


def test_peer_support_grid_items() -> None:
    items = load_instrument("monthly").items
    for t in PS_TYPES:
        for d in ("given", "received"):
            item = items[f"ps_{t}_{d}"]
            assert (item.type, item.min, item.max, item.row, item.column) == (
                "count", 0, 999, t, d)
    assert (items["projects_attended"].min, items["projects_attended"].max) == (0, 99)


@pytest.mark.parametrize("code", ["monthly_short", "quarterly_short"])
def test_short_versions_contain_only_the_short_set(code: str) -> None:
    items = load_instrument(code).items
    expected = LOG_CODES + (SHORT_QUARTERLY_ECON if code == "quarterly_short" else [])
    assert sorted(items) == sorted(expected)


def test_short_wording_comes_from_full() -> None:
    full, short = load_instrument("quarterly"), load_instrument("quarterly_short")
    for code, item in short.items.items():
        assert item == full.items[code]


def test_quarterly_is_monthly_plus_economics() -> None:
    monthly, quarterly = load_instrument("monthly"), load_instrument("quarterly")
    assert list(quarterly.items)[: len(monthly.items)] == list(monthly.items)
    econ = list(quarterly.items)[len(monthly.items):]
    assert all(c.startswith(("econ_", "family_", "med_", "inpatient_", "visits_", "service_"))
               for c in econ)
    assert len([c for c in econ if c.startswith("service_") and c.endswith("_contacts")]) == 16


def test_quarterly_employment_follow_ups() -> None:
    items = load_instrument("quarterly").items
    status = items["econ_status"]
    assert status.type == "multi" and len(status.options) == 11
    assert items["econ_work_hours"].ask_if.applies({"econ_status": ["part_time", "retired"]})
    assert not items["econ_work_hours"].ask_if.applies({"econ_status": ["retired"]})
    assert items["econ_study_hours"].ask_if.in_ == ("training", "student")
    assert items["econ_unemployed_weeks"].ask_if.in_ == ("unemployed", "not_working_illness")
    assert items["econ_comments"].ask_if is None


def test_every_item_code_unique_and_snake_case() -> None:
    for inst in load_all().values():
        codes = [i.code for s in inst.sections for i in s.items]
        assert len(codes) == len(set(codes))
        assert all(c.replace("_", "").isalnum() and c.islower() for c in codes)


def test_render_text_placeholder() -> None:
    row = load_instrument("monthly").groups["ps_project"].rows[5]
    assert row.text == "{online_network} online peer support network"
    assert render_text(row.text) == "Elefriends online peer support network"
    assert render_text(row.text, {"online_network": "Side by Side Online"}) == (
        "Side by Side Online online peer support network")
    rendered = load_instrument("monthly").rendered({"online_network": "PeerNet"})
    assert rendered.items["ps_elefriends_given"].text == (
        "PeerNet online peer support network – Giving support")
    assert render_text("{unknown} stays") == "{unknown} stays"


# ---------------------------------------------------------------- translations


def test_languages_listed() -> None:
    langs = {lang.code: lang for lang in languages()}
    assert langs["en"].status == "source" and langs["en"].direction == "ltr"
    assert langs["ar"].status == "test" and langs["ar"].direction == "rtl"


def test_shipped_translations_complete_and_without_stray_keys() -> None:
    catalog = translation_catalog()
    for lang in languages():
        if lang.status == "source":
            continue
        strings = yaml.safe_load((TRANSLATIONS_DIR / f"{lang.code}.yaml").read_text("utf-8"))
        keys = set(strings["strings"])
        assert sorted(set(catalog) - keys) == [], f"{lang.code} misses keys"
        assert sorted(keys - set(catalog)) == [], f"{lang.code} has unknown keys"


def test_arabic_texts_are_arabic() -> None:
    ar = load_instrument("monthly", "ar")
    assert ar.title == "سجل دعم الأقران الشهري"
    assert ar.items["swemwbs_1"].options[0].text == "لا شيء من الوقت"
    assert ar.items["lsns_family_1"].options[3].text == "3-4"  # neutral text kept
    assert "{online_network}" in ar.items["ps_elefriends_given"].text
    assert ar.translated  # the translated instrument still has the API


def test_translated_method_matches_loader() -> None:
    assert load_instrument("quarterly").translated("ar") == load_instrument("quarterly", "ar")


def _write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_missing_key_in_strict_language_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    strings = yaml.safe_load((TRANSLATIONS_DIR / "ar.yaml").read_text("utf-8"))
    del strings["strings"]["item.hhi_3.text"]
    strings["language"]["status"] = "validated"
    (tmp_path / "ar.yaml").write_text(yaml.safe_dump(strings, allow_unicode=True), "utf-8")
    monkeypatch.setenv(TRANSLATIONS_ENV, str(tmp_path))
    clear_cache()
    try:
        with pytest.raises(DefinitionError, match=r"ar\.yaml.*item\.hhi_3\.text"):
            load_instrument("monthly", "ar")
        load_instrument("monthly_short", "ar")  # does not ask hhi_3: fine
    finally:
        monkeypatch.delenv(TRANSLATIONS_ENV)
        clear_cache()


def test_operator_adds_a_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = translation_catalog()
    strings = {k: f"[fr] {v}" for k, v in catalog.items()}
    (tmp_path / "fr.yaml").write_text(yaml.safe_dump(
        {"language": {"code": "fr", "name": "Français", "direction": "ltr",
                      "status": "unvalidated"},
         "strings": {k: v for k, v in strings.items() if k != "monthly.title"}},
        allow_unicode=True), "utf-8")
    monkeypatch.setenv(TRANSLATIONS_ENV, str(tmp_path))
    clear_cache()
    try:
        assert "fr" in [lang.code for lang in languages()]
        fr = load_instrument("monthly", "fr")
        assert fr.title == "Monthly Peer Support Log"  # unvalidated: English fallback
        assert fr.items["hhi_3"].text == "[fr] I feel all alone"
        with pytest.raises(DefinitionError, match="monthly.title"):
            load_instrument("monthly").translated("fr", strict=True)
    finally:
        monkeypatch.delenv(TRANSLATIONS_ENV)
        clear_cache()


def test_translation_must_keep_placeholders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    strings = yaml.safe_load((TRANSLATIONS_DIR / "ar.yaml").read_text("utf-8"))
    strings["strings"]["group.ps_project.row.elefriends.text"] = "شبكة إلفريندز"
    (tmp_path / "ar.yaml").write_text(yaml.safe_dump(strings, allow_unicode=True), "utf-8")
    monkeypatch.setenv(TRANSLATIONS_ENV, str(tmp_path))
    clear_cache()
    try:
        with pytest.raises(DefinitionError, match="online_network"):
            load_instrument("monthly", "ar")
    finally:
        monkeypatch.delenv(TRANSLATIONS_ENV)
        clear_cache()


# ---------------------------------------------------------------- broken definitions

MINIMAL = """\
code: {code}
kind: monthly
version: full
title: Test form
sections:
  - code: page
    title: Page
    groups:
      - code: group
        items:
{items}
"""


def _definition(tmp_path: Path, items: str, code: str = "broken") -> Path:
    body = MINIMAL.format(code=code, items=textwrap.indent(textwrap.dedent(items), " " * 10))
    return _write(tmp_path / f"{code}.yaml", body)


def test_minimal_definition_loads(tmp_path: Path) -> None:
    inst = load_file(_definition(tmp_path, """\
        - {code: q1, type: integer, text: How many, min: 0, max: 5}
        - {code: q2, type: single, text: Pick, options: [{value: a, text: A}], ask_if: {item: q1, in: [1]}}
        """))
    assert list(inst.items) == ["q1", "q2"] and inst.items["q1"].optional


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ("- {code: q1, type: text, text: A}\n- {code: q1, type: text, text: B}",
         r"broken\.yaml: sections\[0\]\.groups\[0\]\.items\[1\] \(item q1\): duplicate item code"),
        ("- {code: q1, type: slider, text: A}",
         r"broken\.yaml: .*items\[0\] \(item q1\): unknown type 'slider'"),
        ("- {code: q1, type: single, text: A, options: [{text: Yes}]}",
         r"broken\.yaml: .*\(item q1\)\.options\[0\]: missing value"),
        ("- {code: q1, type: single, text: A, options: [{value: 1, text: X}, {value: 1, text: Y}]}",
         r"\(item q1\)\.options\[1\]: option values not unique"),
        ("- {code: q1, type: integer, text: A, min: 5, max: 1}",
         r"\(item q1\): min > max"),
        ("- {code: q1, type: text, text: A, ask_if: {item: nope, in: [1]}}",
         r"\(item q1\): ask_if names unknown or later item 'nope'"),
        ("- {code: q1, type: text}",
         r"\(item q1\): missing text"),
        ("- {code: q1, type: single, text: A}",
         r"\(item q1\): type single needs options"),
        ("- {code: q1, type: single, text: A, options: [{value: yes, text: Y}]}",
         r"\(item q1\)\.options\[0\]: option value must be an integer or quoted text"),
        ("- {code: Q-1, type: text, text: A}",
         r"items\[0\]: code must be snake_case"),
        ("- {code: q1, type: text, text: A, colour: red}",
         r"items\[0\]: unknown key\(s\) colour"),
        ("- {code: q1, type: text, text: 'Hello {nickname}'}",
         r"\(item q1\): text uses unknown placeholder"),
        ("- {code: q1, type: count, text: A}",
         r"\(item q1\): count items need min >= 0 and max"),
        ("- {code: q1, type: single, text: A, options: [{value: a, text: A}]}\n"
         "- {code: q2, type: text, text: B, ask_if: {item: q1, in: [b]}}",
         r"\(item q2\): ask_if values \['b'\] are not options of q1"),
    ],
)
def test_broken_definition_names_file_item_and_problem(tmp_path: Path, items: str,
                                                       message: str) -> None:
    with pytest.raises(DefinitionError, match=message):
        load_file(_definition(tmp_path, items))


def test_broken_yaml_and_top_level(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match=r"bad\.yaml: not valid YAML"):
        load_file(_write(tmp_path / "bad.yaml", "code: [unclosed\n"))
    with pytest.raises(DefinitionError, match=r"kinds\.yaml: kind: unknown kind 'weekly'"):
        load_file(_write(tmp_path / "kinds.yaml", "code: kinds\nkind: weekly\nversion: full\n"
                                                  "title: T\nsections: []\n"))


def test_subset_of_unknown_item_fails(tmp_path: Path) -> None:
    path = _write(tmp_path / "mini.yaml", """\
        code: mini
        kind: monthly
        version: short
        base: monthly
        title: Mini
        include:
          items: [swemwbs_1, hhi_99]
        """)
    with pytest.raises(DefinitionError, match=r"mini\.yaml: include\.items: unknown item.*hhi_99"):
        load_file(path)


def test_subset_dropping_ask_if_target_fails(tmp_path: Path) -> None:
    path = _write(tmp_path / "mini.yaml", """\
        code: mini
        kind: quarterly
        version: short
        base: quarterly
        title: Mini
        include:
          items: [econ_work_hours]
        """)
    with pytest.raises(DefinitionError, match=r"mini\.yaml: .*\(item econ_work_hours\): ask_if"):
        load_file(path)


def test_shipped_definitions_are_the_files_on_disk() -> None:
    names = sorted(p.stem for p in DEFINITIONS_DIR.glob("*.yaml") if p.stem != "languages")
    assert names == sorted(load_all())
