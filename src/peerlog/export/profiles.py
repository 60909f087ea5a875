"""The project and region profile columns of participants.csv, described for the codebook
and the SPSS/Stata labels.

Words come from the models' choices, so the codebook says what the profile page offers.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from peerlog.capture.models import Project, Region
from peerlog.export.columns import FOCUS_VALUES, MEMBERSHIP_VALUES

YES_NO = [("yes", "Yes"), ("no", "No")]
FLAG = [("1", "Yes"), ("0", "No")]


def _choices(choices) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in choices]


def columns() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """participants.csv profile column -> (label, [(value, label)]); empty options = free text."""
    focus = dict(_choices(Project.Focus.choices))
    membership = dict(_choices(Project.Membership.choices))
    return {
        "project_approach": (_("Approach of the project (group, one-to-one, online, hybrid)"),
                             _choices(Project.Approach.choices)),
        "bame_type": (_("BaME type of the project"), _choices(Project.BameType.choices)),
        "facilitation": (_("Named facilitator"), _choices(Project.Facilitation.choices)),
        "peer_led": (_("Project is peer-led"), YES_NO),
        "leaders_trained": (_("Leaders trained for their role"), YES_NO),
        "leaders_paid": (_("Leaders paid or volunteer"), _choices(Project.LeadersPaid.choices)),
        **{f"focus_{v}": (_("Focus: %s") % focus[v], FLAG) for v in FOCUS_VALUES},
        **{f"membership_{v}": (_("Membership defined by: %s") % membership[v], FLAG)
           for v in MEMBERSHIP_VALUES},
        "organisational_support": (_("Organisational support"),
                                   _choices(Project.OrganisationalSupport.choices)),
        "region_strategic_partner": (_("Strategic partner organisation of the region"), []),
        "region_hub": (_("Hub organisation of the region"), []),
        "region_rural_urban": (_("Region rural or urban (DEFRA)"),
                               _choices(Region.Rurality.choices)),
    }


def codebook_rows() -> Iterator[dict[str, object]]:
    """Codebook rows (``instruments.codebook.COLUMNS``) for the profile columns."""
    for column, (label, options) in columns().items():
        yield {
            "instrument": "project_profile", "kind": "profile", "version": "", "section":
            "region" if column.startswith("region_") else "project", "group": "",
            "item": column, "type": "choice" if options else "text", "text": label,
            "options": "; ".join(f"{v}={t}" for v, t in options), "min": "", "max": "",
            "optional": True, "prefer_not": False, "contact": False, "ask_if": "",
        }
