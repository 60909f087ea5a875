"""Participant pages: registration, the personal link's logs, my progress (docs/participant-pages.md)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    """What PeerLog is, how to register, and how to get back to one's log (the link)."""
    from peerlog.capture.views import pages

    inst = pages.instrument("registration")
    return render(request, "capture/home.html", {"instrument": inst, "title": inst.title})
