"""Template filters that put people's words where codes are stored: form titles, language
names and data-quality reasons (staff pages show no raw codes)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def form_title(code: str) -> str:
    """``monthly_short`` -> "Monthly Peer Support Log (short version)"."""
    from peerlog.staff.views.logs import form_title as title

    return title(str(code))


@register.filter
def language_name(code: str) -> str:
    """``en`` -> "English"."""
    from peerlog.staff.views.logs import language_name as name

    return name(str(code))


@register.filter
def flag_labels(flags) -> str:
    """A log's data-quality flags in words, e.g. "Two logs of one person on the same day"."""
    from peerlog.staff.quality import REASONS

    return "; ".join(str(REASONS[f]) for f in (flags or []) if f in REASONS)


@register.filter
def personal_id(code: str) -> str:
    """A personal ID grouped in threes, as on the slips ("483920" -> "483 920")."""
    from peerlog.capture.personal_ids import display

    return display(str(code or ""))
