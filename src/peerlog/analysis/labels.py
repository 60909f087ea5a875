"""Words for codes, and numbers formatted the way the evaluation printed them.

Light on purpose (no pandas, no matplotlib): the report, the summary, the tables and the
figures all label codes through here, so a code is never shown raw and every table agrees.
"""

from __future__ import annotations

import math
from gettext import gettext as _

OUTCOME_LABELS = {
    "wellbeing": _("Wellbeing (SWEMWBS)"), "self_efficacy": _("Self-efficacy (MHSES)"),
    "hope": _("Hope (Herth Hope Index)"), "contact_family": _("Contact with family"),
    "contact_friends": _("Contact with friends"),
    "contact_neighbours": _("Contact with neighbours"),
    "health_status": _("Health status (EQ VAS, 1-10)"),
}
PS_LABELS = {
    "projects": _("Projects attended"), "types_given": _("Types of peer support given"),
    "types_received": _("Types of peer support received"),
    "informal_given": _("Informal, given"), "informal_received": _("Informal, received"),
    "one_to_one_pairs_given": _("One-to-one/pairs, given"),
    "one_to_one_pairs_received": _("One-to-one/pairs, received"),
    "group_given": _("Group, given"), "group_received": _("Group, received"),
    "online_given": _("Online, given"), "online_received": _("Online, received"),
}
TYPE_LABELS = {
    "informal": _("Informal peer support"), "one_to_one": _("One-to-one peer support"),
    "pairs": _("Peer support pairs"), "groups": _("Peer support groups"),
    "peer_led_groups": _("Peer-led or facilitated groups"),
    "networks": _("Peer support networks"), "elefriends": _("Online network (Elefriends)"),
    "other_online": _("Other online peer support"),
}
CHANGE_LABELS = {"decreased": _("Decreased"), "same": _("Same"), "increased": _("Increased")}
VARIABLE_LABELS = {
    "project_type": _("Project type"), "age_band": _("Age at registration"),
    "gender": _("Gender"), "sexual_orientation": _("Sexual orientation"),
    "ethnic_group": _("Ethnic group"), "ethnicity": _("Ethnicity (detailed)"),
    "area": _("Location"), "uses_mh_services": _("Uses formal mental health services"),
    "physical_condition": _("Long-term physical health condition"),
    "learning_disability": _("Learning disability"), "age_group": _("Age group"),
    "sexuality": _("Sexuality"), "transgender": _("Transgender history"),
    "years_using_services": _("Years using mental health services"),
    "participants": _("Participants"),
}
LEVEL_LABELS = {
    "group": _("Group"), "one_to_one": _("One-to-one"), "online": _("Online"),
    "male": _("Male"), "female": _("Female"), "other": _("Other"),
    "prefer_not_to_say": _("Prefer not to say"), "heterosexual": _("Heterosexual"),
    "lesbian_gay": _("Lesbian/gay"), "bisexual": _("Bisexual"), "lgbt": _("LGB+"),
    "white": _("White"), "black": _("Black"), "asian": _("Asian"), "city": _("City/large town"),
    "town": _("Small-medium sized town"), "rural": _("Village/rural"), "yes": _("Yes"),
    "no": _("No"), "MISSING": _("Missing"), "monthly": _("Monthly"),
    "quarterly": _("Quarterly"), "given": _("Given"), "received": _("Received"),
    "strategic_partner": _("Strategic partner"), "grant_funded": _("Grant-funded"),
}


def label(code: object) -> str:
    """A reader's label for any code the analysis uses; unknown codes (region names, extra
    columns' values) are shown as they are, underscores as spaces."""
    text = str(code)
    for table in (OUTCOME_LABELS, PS_LABELS, CHANGE_LABELS, VARIABLE_LABELS, LEVEL_LABELS,
                  TYPE_LABELS):
        if text in table:
            return table[text]
    return text.replace("_", " ")


def fmt_p(p: float) -> str:
    """p as the evaluation printed it: three decimals, and ``< 0.001`` below that."""
    if p is None or not math.isfinite(p):
        return ""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def fmt_num(x: float, digits: int = 2) -> str:
    if x is None or not math.isfinite(x):
        return ""
    text = f"{x:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def fmt_ci(low: float, high: float, digits: int = 2) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return ""
    return f"{fmt_num(low, digits)} to {fmt_num(high, digits)}"


def cohen_label(es: float) -> str:
    """Cohen's (1992) thresholds as the evaluation used them (doc line 1353)."""
    a = abs(es)
    if a >= 0.8:
        return _("large")
    if a >= 0.5:
        return _("medium")
    if a >= 0.2:
        return _("small")
    return _("trivial")


def _flag(column: str, name: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    return (column, name, (("1", _("{name}: yes").format(name=name)),
                           ("0", _("{name}: no").format(name=name))))


# Chapter 8's comparisons: (column, title, ((value, subsample label), ...)). The first three
# are the evaluation's own; the rest are the project and region profiles' fields (the key
# decisions of chapter 6, columns of participants.csv from ``peerlog export``), one
# comparison per field, each value a subsample.
CHAPTER8_FIELDS = (
    ("diagnosis_specific", _("Diagnosis-specific projects vs other projects"),
     (("yes", _("Diagnosis-specific projects")),
      ("no", _("Other projects (not diagnosis-specific)")))),
    ("project_funding", _("Strategic partners vs grant-funded projects"),
     (("strategic_partner", _("Strategic partners")),
      ("grant_funded", _("Grant-funded projects")))),
    ("region", _("Leeds alone"), (("Leeds", _("Leeds alone")),)),
    ("project_approach", _("Approach"),
     (("group", _("Group")), ("one_to_one", _("One-to-one")), ("online", _("Online")),
      ("hybrid", _("Hybrid")))),
    ("facilitation", _("Facilitation"),
     (("none", _("No named facilitator")), ("volunteer", _("Volunteer facilitator")),
      ("paid", _("Paid facilitator")))),
    ("peer_led", _("Leadership: peer-led or not"),
     (("yes", _("Peer-led")), ("no", _("Not peer-led")))),
    ("leaders_trained", _("Leadership: trained or not"),
     (("yes", _("Leaders trained")), ("no", _("Leaders not trained")))),
    ("leaders_paid", _("Leadership: paid or volunteer"),
     (("paid", _("Paid leaders")), ("volunteer", _("Volunteer leaders")),
      ("mixed", _("Paid and volunteer leaders")))),
    _flag("focus_social", _("Social focus")),
    _flag("focus_activity", _("Activity focus")),
    _flag("focus_sharing_distress", _("Focus on sharing experiences of distress")),
    _flag("focus_educational", _("Educational focus")),
    _flag("membership_open", _("Membership open to anyone")),
    _flag("membership_diagnosis", _("Membership defined by diagnosis")),
    _flag("membership_identity", _("Membership defined by identity or community")),
    _flag("membership_recovery_stage", _("Membership defined by stage of recovery")),
    _flag("membership_training", _("Membership defined by training")),
    ("organisational_support", _("Organisational support"),
     (("loosely_affiliated", _("Loosely affiliated")), ("supported", _("Supported")),
      ("fully_incorporated", _("Fully incorporated")))),
    ("bame_type", _("BaME type"),
     (("general", _("General")), ("community_specific", _("Community-specific")),
      ("refugee_migrant", _("Refugee and migrant")))),
    ("region_rural_urban", _("Region rural or urban"),
     (("urban", _("Urban regions")), ("significant_rural", _("Significant rural regions")),
      ("rural", _("Rural regions")))),
)
