"""`peerlog export` writes the analysis contract's files, and nothing private."""

import csv
import datetime as dt

import pytest

from peerlog.capture.models import ContactDetails, Log, Participant
from peerlog.capture.services import store_log
from peerlog.cli import main
from peerlog.export.contract import LOG_COLUMNS, PARTICIPANT_COLUMNS

pytestmark = pytest.mark.django_db

CONTRACT_PARTICIPANT_COLUMNS = [
    "personal_id", "region", "project_type", "age_band", "gender", "sexual_orientation",
    "ethnicity", "ethnic_group", "area", "uses_mh_services", "physical_condition",
    "learning_disability",
]
PS = ["informal", "one_to_one", "pairs", "groups", "peer_led_groups", "networks", "elefriends",
      "other_online"]
CONTRACT_LOG_COLUMNS = [
    "log_id", "personal_id", "completed_on", "submitted_at", "kind", "version", "mode",
    "projects_attended",
    *[f"ps_{t}_{d}" for t in PS for d in ("given", "received")],
    "wellbeing", "hope", "self_efficacy", "contact_family", "contact_friends",
    "contact_neighbours", "health_status", "eq5d_index",
]


def full_answers(**overrides):
    """A complete monthly log: SWEMWBS raw 21, HHI 36 (with reversals), etc."""
    answers = {f"swemwbs_{i}": 3 for i in range(1, 8)}  # raw 21 -> 19.25
    answers |= {f"hhi_{i}": 3 for i in range(1, 13)}  # 3 and 6 reversed: 10*3 + 2*2 = 34
    answers |= {f"lsns_family_{i}": 2 for i in (1, 2, 3)}  # 6
    answers |= {f"lsns_friends_{i}": 1 for i in (1, 2, 3)}  # 3
    answers |= {f"lsns_neighbours_{i}": 0 for i in (1, 2, 3)}  # 0
    answers |= {f"mhses_{i}": 7 for i in range(1, 7)}  # 42
    answers |= {"eq5d_mobility": 1, "eq5d_selfcare": 1, "eq5d_activities": 2, "eq5d_pain": 2,
                "eq5d_anxiety": 2}  # 1 - 0.081 - 0.036 - 0.123 - 0.071 = 0.689
    answers |= {"health_today": 6, "projects_attended": 2}
    answers |= {"ps_informal_given": 3, "ps_groups_received": 4, "ps_elefriends_given": 0}
    return answers | overrides


@pytest.fixture
def cohort(participant_factory, project_factory):
    project = project_factory(region="Leeds", approach="one_to_one", funding="strategic_partner")
    kept = participant_factory(
        project=project, age_band="25-34", gender="female", sexual_orientation="bisexual",
        ethnicity="black_african", area="city", uses_mh_services="yes",
        physical_condition="no", learning_disability="no",
    )
    gone = participant_factory(project=project, withdrawal=Participant.Withdrawal.REMOVE_DATA)
    quiet = participant_factory(project=project, withdrawal=Participant.Withdrawal.NO_CONTACT,
                                gender="prefer_not_to_say")
    for p, secret in ((kept, "kept"), (gone, "gone"), (quiet, "quiet")):
        ContactDetails.objects.create(
            participant=p, channels=["email", "sms", "post"], email=f"{secret}@example.org",
            phone="+447700900123", postal=f"Ms {secret.title()} Secretname, 1 Hidden Lane",
        )
    store_log(scope=None, instrument="monthly", answers=full_answers(), typed_personal_id=kept.personal_id.code,
              completed_on=dt.date(2016, 1, 10), mode="online", submission_key="a")
    store_log(scope=None, instrument="monthly",
              answers=full_answers(ps_informal_given="ticked", ps_networks_received="ticked"),
              typed_personal_id=kept.personal_id.code, completed_on=dt.date(2016, 2, 9),
              mode="paper", submission_key="b")
    store_log(scope=None, instrument="monthly", answers=full_answers(), typed_personal_id=gone.personal_id.code,
              completed_on=dt.date(2016, 1, 11), mode="online", submission_key="c")
    store_log(scope=None, instrument="monthly", answers=full_answers(), typed_personal_id="99999",
              completed_on=dt.date(2016, 1, 12), mode="paper", submission_key="d")
    store_log(scope=None, instrument="monthly", answers=full_answers(), typed_personal_id=quiet.personal_id.code,
              completed_on=dt.date(2016, 1, 13), mode="paper", submission_key="e",
              status=Log.Status.HELD)
    return kept, gone, quiet


def read(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_export_writes_the_contract(cohort, tmp_path):
    kept, gone, quiet = cohort
    assert main(["export", "--out", str(tmp_path)]) == 0

    assert list(PARTICIPANT_COLUMNS[: len(CONTRACT_PARTICIPANT_COLUMNS)]) == \
        CONTRACT_PARTICIPANT_COLUMNS
    assert list(LOG_COLUMNS[: len(CONTRACT_LOG_COLUMNS)]) == CONTRACT_LOG_COLUMNS
    header = (tmp_path / "logs.csv").read_text().splitlines()[0].split(",")
    assert header[: len(CONTRACT_LOG_COLUMNS)] == CONTRACT_LOG_COLUMNS

    participants = {r["personal_id"]: r for r in read(tmp_path / "participants.csv")}
    # withdrawn with removal: left out; withdrawn from contact only: still analysed
    assert set(participants) == {kept.personal_id.code, quiet.personal_id.code}
    row = participants[kept.personal_id.code]
    assert {k: row[k] for k in CONTRACT_PARTICIPANT_COLUMNS[1:]} == {
        "region": "Leeds", "project_type": "one_to_one", "age_band": "25-34", "gender": "female",
        "sexual_orientation": "bisexual", "ethnicity": "black_african", "ethnic_group": "black",
        "area": "city", "uses_mh_services": "yes", "physical_condition": "no",
        "learning_disability": "no",
    }
    assert row["project_funding"] == "strategic_partner"
    assert participants[quiet.personal_id.code]["gender"] == "prefer_not_to_say"

    logs = read(tmp_path / "logs.csv")
    # the removed participant's log and the held log are not exported; the unregistered is
    assert [r["personal_id"] for r in logs] == [kept.personal_id.code, "99999",
                                                 kept.personal_id.code]
    first, unregistered, ticked = logs
    assert first["completed_on"] == "2016-01-10"
    assert (first["kind"], first["version"], first["mode"]) == ("monthly", "full", "online")
    assert first["ps_informal_given"] == "3"
    assert first["ps_groups_received"] == "4"
    assert first["ps_elefriends_given"] == "0"
    assert first["ps_pairs_given"] == ""  # not given: empty
    assert {k: first[k] for k in ("wellbeing", "hope", "self_efficacy", "contact_family",
                                  "contact_friends", "contact_neighbours", "health_status",
                                  "eq5d_index", "projects_attended")} == {
        "wellbeing": "19.25", "hope": "34", "self_efficacy": "42", "contact_family": "6",
        "contact_friends": "3", "contact_neighbours": "0", "health_status": "6",
        "eq5d_index": "0.689", "projects_attended": "2",
    }
    assert ticked["ps_informal_given"] == "ticked"
    assert ticked["ps_networks_received"] == "ticked"
    assert ticked["mode"] == "paper"
    assert unregistered["mode"] == "paper"
    assert len({r["log_id"] for r in logs}) == 3


def test_no_contact_detail_leaves_in_any_exported_file(cohort, tmp_path):
    main(["export", "--out", str(tmp_path)])
    files = sorted(tmp_path.iterdir())
    assert {f.name for f in files} >= {"participants.csv", "logs.csv", "codebook.csv"}
    assert {f.suffix for f in files} == {".csv", ".sav", ".dta"}
    blob = b"\n".join(f.read_bytes() for f in files)
    for secret in ("@example.org", "7700900123", "Secretname", "Hidden Lane", "gAAAA"):
        assert secret.encode() not in blob


def test_export_is_audited(cohort, tmp_path):
    from peerlog.capture.models import AuditEvent

    main(["export", "--out", str(tmp_path), "--actor", "dr-analyst"])
    event = AuditEvent.objects.get(action="export")
    assert event.actor_label == "dr-analyst"
    assert event.detail["logs"] == 3 and event.detail["participants"] == 2


def test_spss_and_stata_copies_keep_ticks_as_labelled_missing(cohort, tmp_path):
    import pyreadstat

    main(["export", "--out", str(tmp_path)])
    logs, meta = pyreadstat.read_sav(tmp_path / "logs.sav", user_missing=True)
    assert list(logs["ps_informal_given"]) == [3, 3, -1]
    assert meta.variable_value_labels["ps_informal_given"] == {-1: "box ticked, no number"}
    assert meta.missing_ranges["ps_informal_given"] == [{"lo": -1.0, "hi": -1.0}]
    assert list(logs["wellbeing"]) == [19.25, 19.25, 19.25]
    people, meta = pyreadstat.read_sav(tmp_path / "participants.sav")
    kept = cohort[0].personal_id.code
    gender = people.set_index("personal_id").loc[kept, "gender"]
    assert meta.variable_value_labels["gender"][gender] == "Female"
    dta, dmeta = pyreadstat.read_dta(tmp_path / "logs.dta")
    assert list(dta["ps_informal_given"]) == [3, 3, -1]
    assert len(dta) == 3


def test_project_and_region_profiles_are_exported_as_columns(participant_factory,
                                                              project_factory, tmp_path):
    """Each profile field is a column (focus and membership one 0/1 column per value), a
    hybrid project keeps the contract's project_type empty, an unrecorded profile is empty,
    and the codebook and SPSS file describe the columns."""
    import pyreadstat

    from peerlog.capture.models import Project, Region
    from peerlog.export.columns import FOCUS_VALUES, MEMBERSHIP_VALUES

    hybrid = project_factory(
        region="Suffolk", approach="hybrid", facilitation="paid", peer_led=True,
        leaders_trained=False, leaders_paid="mixed", focus=["social", "educational"],
        membership=["diagnosis", "training"], organisational_support="fully_incorporated",
        bame_type="refugee_migrant")
    Region.objects.filter(pk=hybrid.region_id).update(
        strategic_partner="Suffolk Mind", hub="Suffolk Mind", rural_urban="rural")
    plain = project_factory(region="Leeds", approach="online")
    a = participant_factory(project=hybrid)
    b = participant_factory(project=plain)
    assert main(["export", "--out", str(tmp_path)]) == 0
    rows = {r["personal_id"]: r for r in read(tmp_path / "participants.csv")}
    got = rows[a.personal_id.code]
    assert (got["project_type"], got["project_approach"]) == ("", "hybrid")
    assert {k: got[k] for k in ("facilitation", "peer_led", "leaders_trained", "leaders_paid",
                                "organisational_support", "bame_type", "region_strategic_partner",
                                "region_hub", "region_rural_urban")} == {
        "facilitation": "paid", "peer_led": "yes", "leaders_trained": "no",
        "leaders_paid": "mixed", "organisational_support": "fully_incorporated",
        "bame_type": "refugee_migrant", "region_strategic_partner": "Suffolk Mind",
        "region_hub": "Suffolk Mind", "region_rural_urban": "rural"}
    assert [got[f"focus_{v}"] for v in FOCUS_VALUES] == ["1", "0", "0", "1"]
    assert [got[f"membership_{v}"] for v in MEMBERSHIP_VALUES] == ["0", "1", "0", "0", "1"]
    other = rows[b.personal_id.code]
    assert (other["project_type"], other["project_approach"]) == ("online", "online")
    assert all(other[f"focus_{v}"] == "" for v in FOCUS_VALUES)  # not recorded: empty
    assert other["peer_led"] == "" and other["region_rural_urban"] == ""
    # the column values are the model's choices
    assert tuple(Project.Focus.values) == FOCUS_VALUES
    assert tuple(Project.Membership.values) == MEMBERSHIP_VALUES

    codebook = {r["item"]: r for r in read(tmp_path / "codebook.csv")
                if r["instrument"] == "project_profile"}
    assert "fully_incorporated=Fully incorporated (service delivery)" in \
        codebook["organisational_support"]["options"]
    assert codebook["focus_social"]["options"] == "1=Yes; 0=No"
    assert codebook["region_hub"]["type"] == "text"
    _, meta = pyreadstat.read_sav(tmp_path / "participants.sav")
    assert meta.column_names_to_labels["facilitation"] == "Named facilitator"
    assert "Paid facilitator" in meta.variable_value_labels["facilitation"].values()


def test_exported_profiles_work_as_where_and_subgroup(participant_factory, project_factory,
                                                       tmp_path):
    """The profile columns reach `peerlog analyse --where` (participants kept by value)."""
    import pandas as pd

    from peerlog.analysis.contract import read_participants
    from peerlog.analysis.pipeline import apply_where

    peer = project_factory(facilitation="volunteer", peer_led=True)
    staff = project_factory(facilitation="paid", peer_led=False)
    kept = [participant_factory(project=peer) for _ in range(2)]
    participant_factory(project=staff)
    main(["export", "--out", str(tmp_path)])
    people = read_participants(tmp_path / "participants.csv")
    logs = pd.DataFrame({"personal_id": pd.Series([], dtype=object)})
    _, chosen, _ = apply_where(logs, people, (("peer_led", "yes"),))
    assert sorted(chosen["personal_id"]) == sorted(p.personal_id.code for p in kept)
