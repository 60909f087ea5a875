"""Help in a crisis: the contacts page linked from every participant page, and the gentle
signpost shown after answers that suggest distress.

The signpost is a pointer to help, never a diagnosis, and it tells no one: nothing is stored
or sent to staff when it shows (docs/decisions.md, "Crisis signpost").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from peerlog.capture import programme

#: SWEMWBS items answered "None of the time" (1) that together suggest distress.
SWEMWBS_NONE_OF_THE_TIME = 3


def contacts() -> list[dict[str, Any]]:
    return programme.crisis_contacts()


def _number(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def suggests_distress(answers: dict[str, Any]) -> bool:
    """EQ-5D anxiety/depression at its worst level (3), health today 1 or 2 out of 10, or
    at least three SWEMWBS statements at "None of the time" (1)."""
    if _number(answers.get("eq5d_anxiety")) == 3:
        return True
    if _number(answers.get("health_today")) in (1, 2):
        return True
    lowest = sum(_number(answers.get(f"swemwbs_{i}")) == 1 for i in range(1, 8))
    return lowest >= SWEMWBS_NONE_OF_THE_TIME


def after(section, answers: dict[str, Any]) -> bool:
    """Whether the page that follows ``section`` shows the signpost: the answers given on
    that section (read back from the saved log in progress, so nothing extra is kept)."""
    if section is None:
        return False
    return suggests_distress({item.code: answers[item.code] for item in section.items
                              if item.code in answers})


def crisis(request: HttpRequest) -> HttpResponse:
    """The contacts, in the language of the page the person came from (``?lang=``: a link
    page may be in their registered language without a language cookie)."""
    language = request.GET.get("lang", "")
    if (language in dict(settings.LANGUAGES)
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES):
        translation.activate(language)
        request.LANGUAGE_CODE = language
    return render(request, "capture/crisis.html", {
        "title": _("Talk to someone now"), "crisis_contacts": contacts(),
    })
