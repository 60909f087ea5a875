"""The words of a reminder, in the participant's language (Django gettext catalogues)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from peerlog.capture import programme


def reminder(*, language: str, channel: str, link: str, kind: str,
             personal_id: str = "") -> tuple[str, str]:
    """``(subject, body)`` of a reminder; SMS gets the short form (subject unused). With
    ``personal_id`` (as the form promised), the person can tell which registration it is."""
    support = programme.support_contact()
    with translation.override(language or settings.LANGUAGE_CODE):
        which = _("quarterly log") if kind == "quarterly" else _("monthly log")
        if channel == "sms":
            words = {"which": which, "link": link, "support": support,
                     "personal_id": personal_id}
            if personal_id:
                return "", _(
                    "PeerLog (ID %(personal_id)s): your %(which)s is ready: %(link)s Help: "
                    "%(support)s. Reply STOP or tell your project to stop reminders."
                ) % words
            body = _(
                "PeerLog: your %(which)s is ready: %(link)s Help: %(support)s. "
                "Reply STOP or tell your project to stop reminders."
            ) % words
            return "", body
        subject = _("Your peer support log: time for your %(which)s") % {"which": which}
        body = "\n\n".join([
            _("Hello,"),
            _("It is time to fill in your %(which)s. It takes a few minutes, and each log "
              "you complete enters you and your project into this month's prize draw if you "
              "chose to take part.") % {"which": which},
            _("Your personal link (it opens your own log; please do not share it):")
            + "\n" + link,
            *([_("Your personal ID is %(personal_id)s.") % {"personal_id": personal_id}]
              if personal_id else []),
            _("If you need help, or would rather not get these reminders, contact "
              "%(support)s.") % {"support": support},
            _("Thank you for taking part."),
        ])
        return subject, body + "\n"


def new_link(*, language: str, channel: str, link: str, personal_id: str) -> tuple[str, str]:
    """``(subject, body)`` of a message carrying a new personal link (asked for on the "get a
    new link" page, sent at registration, or by staff), with the personal ID so the person
    can tell which registration it is."""
    support = programme.support_contact()
    with translation.override(language or settings.LANGUAGE_CODE):
        if channel == "sms":
            body = _(
                "PeerLog: your personal link (ID %(personal_id)s): %(link)s Keep it safe. "
                "Help: %(support)s."
            ) % {"personal_id": personal_id, "link": link, "support": support}
            return "", body
        subject = _("Your peer support log: your personal link")
        body = "\n\n".join([
            _("Hello,"),
            _("Here is your personal link for the Peer Support Log (personal ID "
              "%(personal_id)s). It opens your own log whenever one is due; please keep it "
              "safe and do not share it:") % {"personal_id": personal_id} + "\n" + link,
            _("Links you had before keep working until they expire."),
            _("If you did not ask for this link, or if you need help, contact "
              "%(support)s.") % {"support": support},
            _("Thank you for taking part."),
        ])
        return subject, body + "\n"
