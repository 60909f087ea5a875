""""Get a new link": a person types their personal ID and, if it is registered (not
withdrawn) with an email address or mobile number, a new personal link is sent there.

The page never shows a link and answers every well-formed ID alike, registered or not, with
an address or not, so it tells a stranger nothing about who takes part. Lookups are
rate-limited per client address and per ID (:mod:`peerlog.capture.ratelimit`); the answer
comes after a redirect, so reloading it sends nothing twice.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from peerlog.capture import personal_ids, ratelimit
from peerlog.capture.models import Participant


class NewLinkForm(forms.Form):
    personal_id = forms.CharField(
        label=gettext_lazy("Your personal ID"), max_length=40,
        help_text=gettext_lazy("The number on the slip you were given, for example 483 920."),
        error_messages={"required": gettext_lazy("Enter your personal ID.")},
    )

    def clean_personal_id(self) -> str:
        pid = personal_ids.clean(self.cleaned_data["personal_id"])
        if pid is None or not personal_ids.is_valid(pid):
            raise forms.ValidationError(_(
                "This is not a personal ID: please check it against your slip. A personal ID "
                "has only numbers, for example 483 920."))
        return pid


class SendAfterRedirect(HttpResponseRedirect):
    """The redirect after a request for a new link; the queued messages are sent once the
    answer has gone (the WSGI server calls ``close()`` after writing the response), so a
    real ID and an unknown one answer in the same time: the page may not reveal by its
    timing whether an ID exists (docs/security.md)."""

    def __init__(self, url: str, outbox_pks: list[int]) -> None:
        super().__init__(url)
        self.outbox_pks = outbox_pks

    def close(self) -> None:
        try:
            super().close()
        finally:
            pks, self.outbox_pks = self.outbox_pks, []  # close() may be called twice
            if pks:
                _send(pks)


@never_cache
@require_http_methods(["GET", "POST"])
def new_link(request: HttpRequest) -> HttpResponse:
    form = NewLinkForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        pid = form.cleaned_data["personal_id"]
        limits = settings.PEERLOG
        by_client = ratelimit.hit("new-link-client", ratelimit.client_address(request),
                                  limits["NEW_LINK_LIMIT_PER_CLIENT"])
        by_id = ratelimit.hit("new-link-id", pid, limits["NEW_LINK_LIMIT_PER_ID"])
        if by_client and by_id:
            pks = _queue(pid)
            return SendAfterRedirect(reverse("capture:new_link_sent"), pks)
        status = 429
        form.add_error("personal_id", _(
            "We have had several requests for new links in a short time, so to keep "
            "everyone's links safe we cannot send another one just now. Please try again in "
            "an hour, or ask your project coordinator."))
    return render(request, "capture/new_link.html", {
        "form": form, "title": _("Get a new link"), "errors": form.errors,
    }, status=status)


def _queue(pid: str) -> list[int]:
    """The outbox messages carrying a new link to ``pid``'s person (none for an unknown,
    withdrawn or unreachable ID)."""
    from peerlog.outreach import newlink

    participant = (Participant.objects.select_related("contact", "personal_id")
                   .filter(personal_id__code=pid, withdrawal="").first())
    if participant is None:
        return []
    return newlink.queue_link(participant, actor="participant", origin="recovery")


def _send(pks: list[int]) -> None:
    from peerlog.outreach import newlink

    newlink.send_queued(pks)


@never_cache
def new_link_sent(request: HttpRequest) -> HttpResponse:
    """The one answer for every ID (see the module's docstring)."""
    return render(request, "capture/new_link_sent.html", {"title": _("Check your messages")})
