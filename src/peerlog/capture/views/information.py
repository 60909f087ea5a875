"""The information sheet the consent step asks people to have read.

The information text is the programme's (staff console, programme settings) or, by default,
a plain-words sheet built from the programme's name and support contact.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from peerlog.capture import programme


def information(request: HttpRequest) -> HttpResponse:
    """The information sheet: the programme's own text, or the default one."""
    now = programme.current()
    paragraphs = [p.strip() for p in now.information_text.split("\n\n") if p.strip()]
    return render(request, "capture/information.html", {
        "title": _("About the peer support log"), "programme": now, "paragraphs": paragraphs,
    })
