"""The evaluation's published figures that the synthetic cohort is calibrated to, as data.

Every number here is copied from the Side by Side evaluation report (2017) and names its
table or page. Where the report's table has an evident typo, the value used and the reason
are given next to it. Figures the report does not publish (project attributes, health status
and EQ-5D at baseline, the size of within-person change) are PeerLog's choices and are marked
``# not published``; docs/synthetic-cohort.md lists them.

Region order everywhere: :data:`REGIONS` (the registration form's option order).
"""

from __future__ import annotations

import datetime as dt

# Registration form option codes and names (peerlog.instruments "registration", item "region").
REGIONS = (
    "suffolk", "coventry", "northamptonshire", "leeds", "blackpool", "southampton",
    "plymouth", "middlesbrough", "kensington_chelsea", "elefriends",
)
REGION_NAMES = {
    "suffolk": "Suffolk", "coventry": "Coventry", "northamptonshire": "Northamptonshire",
    "leeds": "Leeds", "blackpool": "Blackpool", "southampton": "Southampton",
    "plymouth": "Plymouth", "middlesbrough": "Middlesbrough",
    "kensington_chelsea": "Kensington & Chelsea", "elefriends": "Elefriends",
}

# --- Figure 4.1 and chapter 4 text (report lines ~1170-1290) ------------------------------
REGISTERED = 703  # "703 participants were registered"
REGISTERED_WITH_LOGS = 566  # "566 (81%) completed at least one log"
UNREGISTERED_PEOPLE = 83  # "Eighty three participants completed a total of 125 logs..."
UNREGISTERED_LOGS = 125
SAME_DAY_DUPLICATES = 30  # "30 duplicate logs"
SHORT_SHARE = 0.25  # "514 (25%) were the short version"
PAPER_SHARE = 0.50  # "1037 logs (50%) were entered online ..., the other 50% on paper"
TICKED_SHARE = 0.18  # "373 of the logs (18%) had been entered in this manner" (ticks)
RECRUITMENT_START = dt.date(2015, 9, 25)  # "first participant ... registered on 25/09/15"
RECRUITMENT_END = dt.date(2016, 9, 30)  # "recruitment continued until 30/09/16"
LOGS_END = dt.date(2016, 12, 21)  # "asked to complete logs ... until 21/12/16"
# Figure 4.2 (registrations per month) is a chart without numbers; the text says recruitment
# "started slowly but steadily increased (except for a slow December) and reached its peak in
# March 2016, remaining high until June before tailing off again". Relative weights read from
# that description (not measured from the chart), Sep 2015 .. Sep 2016:
RECRUITMENT_MONTH_WEIGHTS = (1, 3, 5, 3, 7, 9, 14, 13, 13, 13, 8, 6, 5)
# At entry: "175 participants (27%) ... had not attended any peer support projects",
# "116 (18%) had attended three or more".
PROJECTS_NONE_SHARE = 0.27
PROJECTS_THREE_PLUS_SHARE = 0.18

# --- Table A4.1: logs completed by month since the first log, quarterly/monthly -----------
# Months 1..15 per region; each cell (quarterly, monthly). The table covers all 649 people
# with logs (registered or not), after removing duplicates (its total is 2066; the text: 2064).
A41 = {
    "suffolk": "14/2 2/6 2/4 2/3 1/3 1/3 3/1 3/0 3/0 1/0 0/0 0/0 0/0 0/0 0/0",
    "coventry": "42/8 9/12 5/12 8/7 4/7 4/6 2/8 3/6 3/4 4/2 4/0 0/1 0/0 0/0 0/0",
    "northamptonshire": "54/15 23/30 23/12 14/6 5/4 3/2 1/3 2/1 3/0 1/0 1/0 0/0 0/0 0/0 0/0",
    "leeds": "119/23 37/59 22/52 50/12 10/41 14/34 36/4 5/12 1/1 2/0 1/0 0/0 0/0 0/0 0/0",
    "blackpool": "56/11 20/24 12/16 8/11 5/10 3/8 5/3 1/4 3/1 0/2 0/1 0/0 0/0 0/0 0/0",
    "southampton": "39/3 3/23 9/14 13/5 8/7 8/1 8/0 2/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0",
    "plymouth": "39/22 18/20 8/16 5/9 6/7 4/5 4/3 2/1 0/2 0/2 0/2 1/1 1/1 1/0 0/0",
    "middlesbrough": "3/17 6/2 1/2 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0",
    "kensington_chelsea": "58/25 12/49 8/40 26/14 20/12 7/9 4/4 1/5 0/5 0/2 0/2 2/0 1/1 0/1 1/1",
    "elefriends": "95/4 10/38 6/25 16/4 9/6 5/4 4/2 4/2 2/2 3/0 2/0 2/0 0/0 0/0 0/0",
}
A41_TOTAL = "519/130 140/263 96/193 142/71 68/97 49/72 67/28 23/31 15/15 11/8 8/5 5/2 2/2 1/1 1/1"


def a41_cells(text: str) -> list[tuple[int, int]]:
    """'14/2 2/6 ...' -> [(14, 2), (2, 6), ...]: (quarterly, monthly) for months 1, 2, ..."""
    return [tuple(int(x) for x in cell.split("/")) for cell in text.split()]  # type: ignore[misc]


# --- Table A4.2: registered participants by region (counts) -------------------------------
# Region n (sums to 703). Per variable: {option value: counts per region in REGIONS order};
# "" is the table's MISSING row. Counts are used as proportions within each region.
A42_N = (17, 42, 77, 156, 69, 43, 56, 18, 87, 138)
A42 = {
    "age_band": {
        "18-24": (1, 1, 0, 32, 25, 18, 5, 1, 4, 36),
        "25-34": (3, 8, 13, 22, 7, 7, 15, 5, 11, 36),
        "35-44": (3, 11, 16, 31, 4, 6, 9, 6, 20, 30),
        "45-54": (4, 12, 18, 37, 16, 10, 13, 3, 26, 19),
        "55-64": (6, 9, 20, 22, 13, 2, 9, 2, 16, 13),
        "65+": (0, 1, 10, 10, 4, 0, 5, 1, 9, 5),
        "": (0, 0, 0, 2, 0, 0, 0, 0, 1, 0),
    },
    "gender": {
        "male": (7, 22, 36, 71, 15, 23, 30, 1, 34, 14),
        "female": (10, 20, 40, 82, 53, 20, 26, 17, 52, 123),
        "prefer_not_to_say": (0, 0, 1, 1, 0, 0, 0, 0, 0, 0),
        "other": (0, 0, 0, 0, 1, 0, 0, 0, 0, 1),
        "": (0, 0, 0, 2, 0, 0, 0, 0, 1, 0),
    },
    # "Not sure" is not an option of the registration form: counted as prefer_not_to_say.
    # Elefriends "No" is printed "17 (99.3)": 137 is the count that matches the percentage.
    "transgender_history": {
        "yes": (0, 0, 0, 3, 1, 1, 1, 0, 0, 0),
        "no": (17, 41, 72, 150, 64, 40, 52, 12, 86, 137),
        "prefer_not_to_say": (0, 1, 3, 1, 4, 1, 2, 6, 0, 1),
        "": (0, 0, 2, 2, 0, 1, 1, 0, 1, 0),
    },
    "sexual_orientation": {
        "heterosexual": (17, 22, 65, 134, 60, 32, 38, 13, 79, 98),
        "lesbian_gay": (0, 13, 1, 3, 3, 3, 6, 0, 4, 9),
        "bisexual": (0, 4, 4, 7, 2, 4, 4, 0, 2, 17),
        "prefer_not_to_say": (0, 2, 3, 5, 3, 3, 7, 4, 1, 7),
        "other": (0, 1, 0, 3, 1, 1, 1, 1, 0, 7),
        "": (0, 0, 4, 4, 0, 0, 0, 0, 1, 0),
    },
    "area": {
        "city": (5, 20, 16, 125, 17, 22, 37, 0, 84, 65),
        "town": (8, 19, 48, 20, 47, 17, 12, 17, 1, 56),
        "rural": (4, 3, 13, 4, 5, 4, 7, 1, 1, 19),
        "": (0, 0, 0, 7, 0, 0, 0, 0, 1, 0),
    },
    # Ethnicity: the table's rows mapped onto the registration form's codes. "Somalian" (20)
    # and "Eritrean" (4) -> black_african; "Middle Eastern" (4) -> other.
    "ethnicity": {
        "white_british": (17, 27, 57, 66, 59, 38, 52, 3, 15, 122),
        "white_irish": (0, 0, 0, 2, 2, 0, 0, 0, 2, 2),
        "white_eastern_european": (0, 2, 3, 1, 1, 0, 0, 0, 1, 1),
        "white_other": (0, 0, 2, 1, 0, 2, 0, 0, 9, 4),
        "arab": (0, 0, 0, 0, 0, 0, 0, 0, 4, 1),
        "black_caribbean": (0, 2, 1, 16, 0, 0, 0, 0, 4, 0),
        "black_african": (0, 5, 6, 6, 0, 0, 0, 2, 4 + 20 + 4, 0),
        "black_other": (0, 1, 0, 8, 0, 0, 0, 0, 0, 1),
        "asian_bangladeshi": (0, 0, 0, 6, 0, 0, 0, 0, 0, 0),
        "asian_indian": (0, 3, 0, 5, 2, 0, 0, 0, 3, 0),
        "asian_pakistani": (0, 1, 1, 23, 3, 0, 0, 11, 0, 0),
        "asian_chinese": (0, 0, 0, 3, 0, 0, 0, 0, 0, 0),
        "asian_other": (0, 0, 0, 6, 0, 0, 0, 0, 1, 0),
        "mixed_white_black_african": (0, 0, 3, 0, 0, 1, 0, 0, 0, 1),
        "mixed_white_asian": (0, 0, 1, 0, 0, 1, 0, 0, 2, 1),
        "mixed_white_black_caribbean": (0, 0, 0, 6, 0, 1, 1, 0, 2, 1),
        "mixed_other": (0, 0, 0, 2, 0, 0, 1, 0, 0, 0),
        "other": (0, 1, 1, 2 + 3, 2, 0, 2, 2, 11 + 1, 4),
        "": (0, 0, 2, 0, 0, 0, 0, 0, 4, 0),
    },
}
# Yes-counts of the yes/no rows (the rest are "no"). Plymouth's long-term physical condition
# is printed "47 (48.2)": 27 matches the percentage and the total 241.
A42_YES = {
    "uses_mh_services": (4, 19, 25, 62, 25, 27, 18, 8, 30, 62),
    "learning_disability": (0, 4, 10, 17, 21, 13, 17, 0, 5, 16),
    "physical_condition": (2, 9, 26, 38, 34, 23, 27, 1, 28, 52),
}
# Years of using mental health services among users: mean and SD per region.
A42_MH_YEARS = (
    (13.3, 12.3), (6.6, 7.5), (12.1, 8.2), (5.2, 5.2), (10.7, 10.7), (6.2, 6.2), (8.2, 8.5),
    (3.3, 2.9), (13.6, 15.2), (4.8, 6.3),
)

# --- Table A4.3: baseline (first log) outcome means and SDs by region ---------------------
# n per region (people with a first log, registered or not): 649 in total.
A43_N = (16, 49, 70, 143, 67, 42, 61, 20, 83, 98)
A43 = {
    "wellbeing": ((22.2, 2.9), (21.6, 4.6), (21.2, 4.3), (21.1, 5.3), (19.7, 4.5), (21.3, 4.5),
                  (20.5, 4.8), (21.8, 3.1), (21.2, 4.3), (17.9, 3.6)),
    "contact_family": ((7.3, 2.7), (6.3, 4.0), (5.6, 3.3), (5.7, 3.5), (5.4, 3.9), (6.2, 3.3),
                       (5.4, 3.4), (2.5, 2.1), (5.2, 3.2), (4.7, 2.5)),
    "contact_friends": ((10.1, 3.0), (6.9, 3.8), (6.6, 3.9), (6.8, 3.7), (6.9, 4.0),
                        (7.3, 4.2), (4.9, 3.4), (7.0, 4.2), (5.5, 3.0), (5.1, 3.6)),
    "contact_neighbours": ((5.9, 3.1), (3.8, 3.5), (3.3, 3.6), (3.7, 3.4), (3.1, 3.4),
                           (3.6, 3.3), (2.9, 2.6), (5.5, 0.7), (2.8, 3.1), (2.7, 2.7)),
    "hope": ((36.3, 4.6), (33.4, 6.3), (32.6, 6.9), (32.7, 6.7), (31.9, 6.7), (31.4, 5.3),
             (31.6, 6.7), (40.5, 2.1), (32.2, 6.4), (27.9, 5.9)),
    "self_efficacy": ((43.3, 11.8), (33.9, 14.4), (33.7, 13.5), (34.3, 13.4), (30.9, 13.0),
                      (33.9, 12.0), (33.9, 14.3), (48.5, 10.6), (32.8, 12.7), (25.6, 11.3)),
}
# Not published: health today (VAS 1-10) at baseline; PeerLog's choice.
HEALTH_STATUS_BASELINE = (5.8, 2.0)
# Baseline missing Herth Hope Index per region (A4.3 "MISSING" row): these people's first log
# was a short version, which has no HHI. Used as the share of short-version users per region.
A43_HOPE_MISSING = (0, 11, 2, 55, 6, 1, 0, 18, 33, 1)

# --- Table A4.4: baseline use of each type of peer support (people using it) --------------
# n per region as A43_N. (giving, receiving) counts per region.
A44 = {
    "informal": ((11, 20, 33, 52, 33, 24, 24, 9, 46, 65),
                 (11, 26, 42, 63, 42, 26, 30, 11, 29, 67)),
    "one_to_one": ((4, 15, 24, 45, 24, 16, 8, 8, 14, 24),
                   (4, 18, 29, 37, 27, 21, 19, 8, 17, 31)),
    "pairs": ((8, 8, 15, 32, 20, 11, 5, 7, 8, 12),
              (9, 13, 21, 28, 25, 15, 8, 12, 6, 12)),
    "groups": ((9, 19, 30, 48, 30, 13, 18, 7, 40, 23),
               (9, 25, 46, 52, 33, 17, 32, 10, 34, 24)),
    "peer_led_groups": ((5, 17, 22, 57, 24, 14, 18, 6, 12, 12),
                        (6, 24, 34, 65, 35, 23, 27, 9, 18, 16)),
    "networks": ((9, 10, 17, 21, 14, 14, 6, 6, 13, 14),
                 (10, 12, 24, 4, 18, 13, 11, 6, 10, 16)),
    "elefriends": ((0, 4, 4, 4, 4, 3, 4, 3, 3, 77),
                   (1, 7, 10, 4, 5, 3, 3, 3, 4, 77)),
    "other_online": ((1, 8, 7, 6, 10, 3, 5, 4, 6, 21),
                     (1, 10, 8, 2, 11, 5, 6, 4, 5, 17)),
}
# Not published: times a month a used type is used (1 + Poisson(mean - 1)); PeerLog's choice.
PS_TIMES_MEAN = {
    "informal": 4.0, "one_to_one": 3.0, "pairs": 3.0, "groups": 3.5, "peer_led_groups": 3.0,
    "networks": 2.5, "elefriends": 6.0, "other_online": 4.0,
}

# --- Projects (not published: the report names no projects) ------------------------------
# (slug, name, approach, funding, diagnosis_specific, bame_specific, short_version, weight)
PROJECTS = {
    "suffolk": [("suffolk-peer-network", "Suffolk Peer Network", "group", "strategic_partner",
                 False, False, False, 1.0)],
    "coventry": [
        ("coventry-peer-groups", "Coventry Peer Support Groups", "group", "strategic_partner",
         False, False, False, 0.6),
        ("coventry-rainbow-peers", "Coventry Rainbow Peers", "group", "grant_funded",
         False, False, False, 0.2),
        ("coventry-community-languages", "Coventry Community Languages Circle", "group",
         "grant_funded", False, True, True, 0.2),
    ],
    "northamptonshire": [
        ("northants-peer-groups", "Northamptonshire Peer Groups", "group", "strategic_partner",
         False, False, False, 0.7),
        ("northants-bipolar-group", "Northamptonshire Bipolar Support", "group", "grant_funded",
         True, False, False, 0.3),
    ],
    "leeds": [
        ("leeds-peer-support", "Leeds Peer Support Hub", "group", "strategic_partner",
         False, False, False, 0.45),
        ("leeds-recovery-mentors", "Leeds Recovery Mentors", "one_to_one", "grant_funded",
         False, False, False, 0.2),
        ("leeds-community-voices", "Leeds Community Voices", "group", "grant_funded",
         False, True, True, 0.35),
    ],
    "blackpool": [
        ("blackpool-peer-groups", "Blackpool Peer Groups", "group", "strategic_partner",
         False, False, False, 0.7),
        ("blackpool-buddies", "Blackpool Buddies", "one_to_one", "grant_funded",
         False, False, False, 0.3),
    ],
    "southampton": [
        ("southampton-peer-support", "Southampton Peer Support", "group", "strategic_partner",
         False, False, False, 0.7),
        ("southampton-hearing-voices", "Southampton Hearing Voices Group", "group",
         "grant_funded", True, False, False, 0.3),
    ],
    "plymouth": [
        ("plymouth-peer-groups", "Plymouth Peer Groups", "group", "strategic_partner",
         False, False, False, 0.6),
        ("plymouth-befriending", "Plymouth Peer Befriending", "one_to_one", "grant_funded",
         False, False, False, 0.4),
    ],
    "middlesbrough": [
        ("middlesbrough-womens-circle", "Middlesbrough Women's Circle", "group",
         "strategic_partner", False, True, True, 1.0),
    ],
    "kensington_chelsea": [
        ("kc-peer-support", "Kensington & Chelsea Peer Support", "group", "strategic_partner",
         False, False, False, 0.55),
        ("kc-somali-wellbeing", "Kensington & Chelsea Somali Wellbeing Group", "group",
         "grant_funded", False, True, True, 0.3),
        ("kc-peer-mentors", "Kensington & Chelsea Peer Mentors", "one_to_one", "grant_funded",
         False, False, False, 0.15),
    ],
    "elefriends": [("elefriends-online", "Elefriends", "online", "strategic_partner",
                    False, False, False, 1.0)],
}

# --- Planted associations (the true values the analysis should recover) ------------------
# (outcome, peer support variable) -> delta. A period in which the variable decreased adds
# -delta to the outcome's change, "same" adds 0, "increased" adds +delta (on average over
# participants; each participant's own delta varies, see EFFECT_PERSON_SD). Sizes follow the
# published estimates (tables A4.5, half the increased-minus-decreased difference):
PLANTED = {
    ("wellbeing", "types_given"): 0.5,  # A4.5: -0.16 / 0.23 / 0.84
    ("hope", "types_given"): 0.8,  # A4.5: -0.63 / 0.20 / 1.00
    ("hope", "types_received"): 0.7,  # A4.5: -0.47 / 0.26 / 0.92
    ("contact_friends", "projects"): -0.3,  # A4.5: 0.27 / -0.08 / -0.31
}
EFFECT_PERSON_SD = 0.5  # each participant's delta = delta * (1 + N(0, 0.5))
# Not published: how outcomes move between logs. Each outcome follows a mean-reverting walk
# around the participant's own level: between-person share of the baseline variance, and
# the pull back towards the participant's level per log.
BETWEEN_SHARE = 0.0
REVERSION = 0.25


# --- Project and region profiles (chapter 6's key decisions; not random, so the cohort's
# draws are unchanged). Regions: table 1.1 (hub, strategic partner) and table 3.1
# (DEFRA rural/urban; Northamptonshire "significant rural" for Wellingborough). Projects:
# PeerLog's plausible choices for the invented projects above, in the model's field names.
REGION_PROFILES = {
    "suffolk": ("Suffolk Mind", "Suffolk Mind", "rural"),
    "coventry": ("Bipolar UK", "Coventry & Warwickshire Mind", "urban"),
    "northamptonshire": ("Depression Alliance", "Kettering Mind", "significant_rural"),
    "leeds": ("Leeds Mind", "Leeds Mind", "urban"),
    "blackpool": ("Bipolar UK", "Lancashire Mind", "urban"),
    "southampton": ("Solent Mind", "Solent Mind", "urban"),
    "plymouth": ("Depression Alliance", "Plymouth Mind", "urban"),
    "middlesbrough": ("Bipolar UK", "Middlesbrough and Stockton Mind", "urban"),
    "kensington_chelsea": ("Depression Alliance", "Kensington & Chelsea Mind", "urban"),
    "elefriends": ("Mind", "Mind", ""),
}


def _profile(facilitation, peer_led, trained, paid, focus, membership, support, bame="general"):
    return {"facilitation": facilitation, "peer_led": peer_led, "leaders_trained": trained,
            "leaders_paid": paid, "focus": list(focus), "membership": list(membership),
            "organisational_support": support, "bame_type": bame}


_GROUP = _profile("volunteer", True, True, "volunteer", ("social", "sharing_distress"),
                  ("open",), "supported")
_MENTORS = _profile("paid", True, True, "mixed", ("sharing_distress",),
                    ("recovery_stage", "training"), "fully_incorporated")
PROJECT_PROFILES = {
    "suffolk-peer-network": _GROUP,
    "coventry-peer-groups": _GROUP,
    "coventry-rainbow-peers": _profile("volunteer", True, False, "volunteer",
                                       ("social", "activity"), ("identity",),
                                       "loosely_affiliated"),
    "coventry-community-languages": _profile("paid", False, True, "paid",
                                             ("social", "educational"), ("identity",),
                                             "supported", "community_specific"),
    "northants-peer-groups": _profile("none", True, False, "volunteer", ("social",), ("open",),
                                      "loosely_affiliated"),
    "northants-bipolar-group": _profile("volunteer", True, True, "volunteer",
                                        ("sharing_distress",), ("diagnosis",), "supported"),
    "leeds-peer-support": _profile("paid", False, True, "paid", ("activity", "social"),
                                   ("open",), "fully_incorporated"),
    "leeds-recovery-mentors": _MENTORS,
    "leeds-community-voices": _profile("volunteer", True, False, "volunteer",
                                       ("social", "sharing_distress"), ("identity",),
                                       "loosely_affiliated", "refugee_migrant"),
    "blackpool-peer-groups": _profile("volunteer", True, True, "mixed", ("activity",),
                                      ("open",), "supported"),
    "blackpool-buddies": _MENTORS,
    "southampton-peer-support": _profile("paid", False, True, "paid",
                                         ("educational", "sharing_distress"), ("open",),
                                         "fully_incorporated"),
    "southampton-hearing-voices": _profile("none", True, False, "volunteer",
                                           ("sharing_distress",), ("diagnosis",),
                                           "loosely_affiliated"),
    "plymouth-peer-groups": _GROUP,
    "plymouth-befriending": _profile("volunteer", True, True, "volunteer", ("social",),
                                     ("training",), "supported"),
    "middlesbrough-womens-circle": _profile("volunteer", True, True, "volunteer",
                                            ("social", "activity"), ("identity",), "supported",
                                            "community_specific"),
    "kc-peer-support": _profile("paid", False, True, "paid", ("activity", "educational"),
                                ("open",), "fully_incorporated"),
    "kc-somali-wellbeing": _profile("volunteer", True, False, "volunteer",
                                    ("social", "sharing_distress"), ("identity",), "supported",
                                    "community_specific"),
    "kc-peer-mentors": _MENTORS,
    "elefriends-online": _profile("paid", False, True, "paid", ("sharing_distress", "social"),
                                  ("open",), "fully_incorporated"),
}
