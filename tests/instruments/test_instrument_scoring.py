"""Scoring against the published rules (docs: /work/shared/design/instruments.md)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerlog.instruments import PREFER_NOT, TICKED, Score, ScoringError, load_instrument, score
from peerlog.instruments.scoring import PS_TYPES, SCORE_NAMES, eq5d_index

MONTHLY = load_instrument("monthly")

# Published SWEMWBS raw -> metric conversion, raw 7..35.
SWEMWBS_TABLE = [
    (7, 7.00), (8, 9.51), (9, 11.25), (10, 12.40), (11, 13.33), (12, 14.08), (13, 14.75),
    (14, 15.32), (15, 15.84), (16, 16.36), (17, 16.88), (18, 17.43), (19, 17.98), (20, 18.59),
    (21, 19.25), (22, 19.98), (23, 20.73), (24, 21.54), (25, 22.35), (26, 23.21), (27, 24.11),
    (28, 25.03), (29, 26.02), (30, 27.03), (31, 28.13), (32, 29.31), (33, 30.70), (34, 32.55),
    (35, 35.00),
]


def full_answers(**overrides: object) -> dict[str, object]:
    """A complete monthly log: every scale at its lowest level, no peer support."""
    answers: dict[str, object] = {"personal_id": "1234", "date_completed": "2017-01-31"}
    answers.update({f"swemwbs_{n}": 1 for n in range(1, 8)})
    answers.update({f"hhi_{n}": 1 for n in range(1, 13)})
    answers.update({f"mhses_{n}": 1 for n in range(1, 7)})
    for block in ("family", "friends", "neighbours"):
        answers.update({f"lsns_{block}_{n}": 0 for n in range(1, 4)})
    answers.update(eq5d_mobility=1, eq5d_selfcare=1, eq5d_activities=1, eq5d_pain=1,
                   eq5d_anxiety=1, health_today=7, projects_attended=2, project_names="A, B")
    answers.update(overrides)
    return answers


def swemwbs_with_raw(raw: int) -> dict[str, int]:
    """Seven item answers (1-5) adding up to ``raw``."""
    items, rest = [], raw
    for left in range(7, 0, -1):
        v = min(5, rest - (left - 1))
        items.append(v)
        rest -= v
    assert sum(items) == raw and all(1 <= v <= 5 for v in items)
    return {f"swemwbs_{n}": v for n, v in enumerate(items, start=1)}


@pytest.mark.parametrize(("raw", "metric"), SWEMWBS_TABLE)
def test_swemwbs_raw_to_metric(raw: int, metric: float) -> None:
    s = score(MONTHLY, full_answers(**swemwbs_with_raw(raw)))
    assert s["wellbeing_raw"] == Score(raw)
    assert s["wellbeing"] == Score(metric)


def test_swemwbs_table_has_all_29_conversions() -> None:
    assert len(SWEMWBS_TABLE) == 29


def test_swemwbs_numeric_strings_accepted() -> None:
    s = score(MONTHLY, full_answers(**{f"swemwbs_{n}": "3" for n in range(1, 8)}))
    assert s["wellbeing_raw"].value == 21 and s["wellbeing"].value == 19.25


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("11111", 1.000),
        ("33333", -0.594),
        # 11112: 1 - 0.081 (constant) - 0.071 (anxiety 2) = 0.848
        ("11112", 0.848),
        # 21111: 1 - 0.081 - 0.069 (mobility 2) = 0.850
        ("21111", 0.850),
        # 12321: 1 - 0.081 - 0.104 (self-care 2) - 0.094 (activities 3) - 0.123 (pain 2)
        #        - 0.269 (N3) = 0.329
        ("12321", 0.329),
        # 11113: 1 - 0.081 - 0.236 (anxiety 3) - 0.269 (N3) = 0.414
        ("11113", 0.414),
        # 22222: 1 - 0.081 - 0.069 - 0.104 - 0.036 - 0.123 - 0.071 = 0.516
        ("22222", 0.516),
        # 11211: 1 - 0.081 - 0.036 (activities 2) = 0.883
        ("11211", 0.883),
        # 31111: 1 - 0.081 - 0.314 (mobility 3) - 0.269 (N3) = 0.336
        ("31111", 0.336),
    ],
)
def test_eq5d_index_uk_tto(state: str, expected: float) -> None:
    codes = ("eq5d_mobility", "eq5d_selfcare", "eq5d_activities", "eq5d_pain", "eq5d_anxiety")
    levels = {c: int(d) for c, d in zip(codes, state, strict=True)}
    assert score(MONTHLY, full_answers(**levels))["eq5d_index"] == Score(expected)
    assert eq5d_index(levels) == expected


def test_hope_reverse_scores_items_3_and_6() -> None:
    # All 12 items "Strongly agree" (4): items 3 and 6 count 5 - 4 = 1 -> 10 * 4 + 2 * 1 = 42.
    s = score(MONTHLY, full_answers(**{f"hhi_{n}": 4 for n in range(1, 13)}))
    assert s["hope"] == Score(42)
    # Only "I feel all alone" and "I feel scared about my future" strongly disagreed (1) and
    # everything else strongly agreed: the most hopeful answer possible, 48.
    answers = {f"hhi_{n}": 4 for n in range(1, 13)} | {"hhi_3": 1, "hhi_6": 1}
    assert score(MONTHLY, full_answers(**answers))["hope"] == Score(48)
    # All 1: 10 * 1 + 2 * 4 = 18.
    assert score(MONTHLY, full_answers())["hope"] == Score(18)


def test_lubben_blocks_summed_separately() -> None:
    answers = {"lsns_family_1": 5, "lsns_family_2": 3, "lsns_family_3": 1,
               "lsns_friends_1": 2, "lsns_friends_2": 2, "lsns_friends_3": 0,
               "lsns_neighbours_1": 5, "lsns_neighbours_2": 5, "lsns_neighbours_3": 5}
    s = score(MONTHLY, full_answers(**answers))
    assert (s["contact_family"], s["contact_friends"], s["contact_neighbours"]) == (
        Score(9), Score(4), Score(15))


def test_lubben_stored_values_match_printed_bands() -> None:
    options = MONTHLY.items["lsns_family_1"].options
    assert [(o.value, o.text) for o in options] == [
        (0, "0"), (1, "1"), (2, "2"), (3, "3-4"), (4, "5-8"), (5, "9+")]


def test_mhses_sum() -> None:
    answers = {"mhses_1": 10, "mhses_2": 9, "mhses_3": 1, "mhses_4": 5, "mhses_5": 7, "mhses_6": 3}
    assert score(MONTHLY, full_answers(**answers))["self_efficacy"] == Score(35)


def test_health_status_and_projects() -> None:
    s = score(MONTHLY, full_answers(health_today=3, projects_attended=4))
    assert s["health_status"] == Score(3) and s["projects_attended"] == Score(4)


def test_types_counts_numbers_and_ticks() -> None:
    answers = full_answers(ps_informal_given=3, ps_pairs_given=TICKED, ps_groups_given=0,
                           ps_elefriends_given="12", ps_informal_received=TICKED)
    s = score(MONTHLY, answers)
    assert s["types_given"] == Score(3)  # informal (3), pairs (ticked), elefriends (12)
    assert s["types_received"] == Score(1)


def test_types_empty_log_counts_zero() -> None:
    s = score(MONTHLY, full_answers())
    assert s["types_given"] == Score(0) and s["types_received"] == Score(0)
    assert s["online_given"] == Score(0)


def test_grouped_forms_sum_and_ticks_make_missing() -> None:
    answers = full_answers(ps_informal_given=2, ps_one_to_one_given=1, ps_pairs_given=4,
                           ps_groups_given=TICKED, ps_peer_led_groups_given=5,
                           ps_elefriends_received=7, ps_other_online_received=1)
    s = score(MONTHLY, answers)
    assert s["informal_given"] == Score(2)
    assert s["one_to_one_pairs_given"] == Score(5)
    assert s["group_given"] == Score(None, "ticked")
    assert s["online_given"] == Score(0)
    assert s["online_received"] == Score(8)


def test_ticks_stay_ticks() -> None:
    """A tick is never converted into a number anywhere in the scores."""
    answers = full_answers(**{f"ps_{t}_given": TICKED for t in PS_TYPES})
    s = score(MONTHLY, answers)
    assert s["types_given"] == Score(8)
    for form in ("informal", "one_to_one_pairs", "group", "online"):
        assert s[f"{form}_given"] == Score(None, "ticked")


def test_missing_item_reason_names_the_first_missing_item() -> None:
    answers = full_answers()
    del answers["swemwbs_4"]
    answers["swemwbs_6"] = None
    s = score(MONTHLY, answers)
    assert s["wellbeing_raw"] == Score(None, "missing_item:swemwbs_4")
    assert s["wellbeing"] == Score(None, "missing_item:swemwbs_4")
    assert s["hope"].value == 18  # other scores unaffected


def test_empty_string_is_not_answered() -> None:
    s = score(MONTHLY, full_answers(eq5d_pain=""))
    assert s["eq5d_index"] == Score(None, "missing_item:eq5d_pain")


def test_declined_reason() -> None:
    s = score(MONTHLY, full_answers(hhi_5=PREFER_NOT, ps_networks_received=PREFER_NOT))
    assert s["hope"] == Score(None, "declined:hhi_5")
    assert s["types_received"] == Score(None, "declined:ps_networks_received")
    assert s["group_received"] == Score(0)


def test_not_asked_in_short_log() -> None:
    short = load_instrument("monthly_short")
    answers = full_answers()
    s = score(short, {k: v for k, v in answers.items() if k in short.items})
    for name in ("hope", "self_efficacy", "contact_family", "contact_friends",
                 "contact_neighbours"):
        assert s[name] == Score(None, "not_asked")
    assert s["wellbeing"] == Score(7.0) and s["eq5d_index"] == Score(1.0)
    assert s["projects_attended"] == Score(2)


def test_registration_has_no_scores() -> None:
    s = score(load_instrument("registration"), {})
    assert set(s) == set(SCORE_NAMES)
    assert all(v == Score(None, "not_asked") for v in s.values())


def test_score_names_fixed() -> None:
    assert set(SCORE_NAMES) == {
        "wellbeing_raw", "wellbeing", "hope", "self_efficacy", "contact_family",
        "contact_friends", "contact_neighbours", "eq5d_index", "health_status", "types_given",
        "types_received", "informal_given", "one_to_one_pairs_given", "group_given",
        "online_given", "informal_received", "one_to_one_pairs_received", "group_received",
        "online_received", "projects_attended",
    }


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("swemwbs_1", 6),
        ("swemwbs_1", 0),
        ("eq5d_pain", 0),
        ("eq5d_pain", 4),
        ("hhi_2", 5),
        ("mhses_3", 11),
        ("lsns_friends_2", 6),
        ("lsns_friends_2", -1),
        ("health_today", 0),
        ("ps_informal_given", -1),
        ("ps_informal_given", 1000),
        ("ps_informal_given", "abc"),
        ("ps_pairs_received", 2.5),
        ("swemwbs_2", "abc"),
        ("swemwbs_2", True),
        ("projects_attended", TICKED),
        ("projects_attended", -2),
        ("eq5d_mobility", TICKED),
    ],
)
def test_impossible_answers_raise(code: str, value: object) -> None:
    with pytest.raises(ScoringError) as err:
        score(MONTHLY, full_answers(**{code: value}))
    assert code in str(err.value) and repr(value) in str(err.value)


def test_quarterly_non_scored_answers_checked_too() -> None:
    quarterly = load_instrument("quarterly")
    with pytest.raises(ScoringError, match="med_taken"):
        score(quarterly, full_answers(med_taken="maybe"))
    ok = score(quarterly, full_answers(med_taken="yes", econ_status=["full_time", "voluntary"]))
    assert ok["wellbeing"].value == 7.0


# ---------------------------------------------------------------- properties

_SCALES = {f"swemwbs_{n}": (1, 5) for n in range(1, 8)} | {f"hhi_{n}": (1, 4) for n in range(1, 13)}
_SCALES |= {f"mhses_{n}": (1, 10) for n in range(1, 7)}
_SCALES |= {f"lsns_{b}_{n}": (0, 5) for b in ("family", "friends", "neighbours") for n in (1, 2, 3)}
_SCALES |= {c: (1, 3) for c in ("eq5d_mobility", "eq5d_selfcare", "eq5d_activities", "eq5d_pain",
                                "eq5d_anxiety")}
_SCALES["health_today"] = (1, 10)

_answer_sets = st.fixed_dictionaries(
    {code: st.one_of(st.none(), st.integers(lo, hi)) for code, (lo, hi) in _SCALES.items()}
    | {f"ps_{t}_{d}": st.one_of(st.none(), st.just(TICKED), st.integers(0, 999))
       for t in PS_TYPES for d in ("given", "received")}
)


@settings(max_examples=60, deadline=None)
@given(_answer_sets)
def test_valid_answers_always_score_within_range(answers: dict[str, object]) -> None:
    s = score(MONTHLY, answers)
    ranges = {"wellbeing": (7, 35), "wellbeing_raw": (7, 35), "hope": (12, 48),
              "self_efficacy": (6, 60), "contact_family": (0, 15), "contact_friends": (0, 15),
              "contact_neighbours": (0, 15), "eq5d_index": (-0.594, 1), "health_status": (1, 10),
              "types_given": (0, 8), "types_received": (0, 8)}
    for name, (lo, hi) in ranges.items():
        value, reason = s[name].value, s[name].missing_reason
        assert (value is None) == (reason is not None)
        if value is not None:
            assert lo <= value <= hi, (name, value)
    for name, result in s.items():
        assert result.value != TICKED, name  # a tick never becomes a score
