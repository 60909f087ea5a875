"""Sending a person a new personal link: asked for on the "get a new link" page, at
registration, or by staff (docs/participant-pages.md, "Getting a new link").

The link goes through the outbox like a reminder (a :class:`Message` of purpose ``link``,
its text encrypted), recorded before anything leaves, then sent at once by the reminder
batch's own send path (:func:`peerlog.outreach.remind.send_now`); what fails is retried by
the next ``peerlog remind``. The link is never shown on screen by these paths.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from peerlog.capture import audit, links, personal_ids
from peerlog.capture.models import Participant
from peerlog.outreach import remind, schedule, texts
from peerlog.outreach.models import Message

ELECTRONIC = ("email", "sms")


def link_channels(participant: Participant) -> tuple[str, ...]:
    """Where a new link can go: the chosen email/SMS channels that have an address, or else
    any address on record. Opting out of reminders does not stop a link the person asked for."""
    contact = getattr(participant, "contact", None)
    if contact is None or participant.withdrawal:
        return ()
    have = {"email": bool(contact.email), "sms": bool(contact.phone)}
    chosen = tuple(c for c in ELECTRONIC if c in (contact.channels or ()) and have[c])
    return chosen or tuple(c for c in ELECTRONIC if have[c])


def queue_link(participant: Participant, *, actor, origin: str, token: str | None = None,
               channels: tuple[str, ...] | None = None) -> list[int]:
    """Record one ``link`` message per channel (in the caller's transaction, if any) and
    return their ids for :func:`send_queued`. ``token`` reuses a link just issued (the
    registration's); otherwise a new one is issued with purpose ``origin``."""
    channels = link_channels(participant) if channels is None else channels
    if not channels:
        return []
    pks = []
    with transaction.atomic():
        token = token or links.new_token(participant, origin)
        link = settings.PEERLOG["SITE_URL"] + links.link_path(token)
        month = schedule.month_key(timezone.localdate())
        for channel in channels:
            subject, body = texts.new_link(
                language=participant.language, channel=channel, link=link,
                personal_id=personal_ids.display(participant.personal_id.code),
            )
            msg = Message(participant=participant, purpose=Message.Purpose.LINK, month=month,
                          channel=channel, language=participant.language, subject=subject,
                          body=body)
            msg.note("planned", origin=origin)
            msg.save()
            pks.append(msg.pk)
        audit.record(actor, "participant.link_sent", participant, origin=origin,
                     channels=list(channels))
    return pks


def send_queued(pks: list[int]) -> None:
    """Send at once. Call it after the transaction that queued them has committed (the
    messages must be in the outbox before anything leaves)."""
    if pks:
        remind.send_now(pks)


def letter_pdf(participant: Participant, link: str) -> bytes:
    """A letter carrying a new personal link (QR code and words), in the person's language.
    Made on demand and never stored: it holds a working link. It bears no address (staff
    address the envelope from their own records)."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from peerlog.capture.views.registration import qr_svg
    from peerlog.instruments import languages
    from peerlog.staff.pdf import html_to_pdf

    language = participant.language or "en"
    lang = next((x for x in languages() if x.code == language), None)
    with translation.override(language):
        html = render_to_string("staff/pdf/new_link_letter.html", {
            "link": link, "qr_svg": qr_svg(link, translation.gettext("QR code of your link")),
            "personal_id": personal_ids.display(participant.personal_id.code),
            "language": language, "direction": lang.direction if lang else "ltr",
        })
    return html_to_pdf(html)
