"""The words of a reminder, in the participant's language (Django gettext catalogues)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _


def reminder(*, language: str, channel: str, link: str, kind: str) -> tuple[str, str]:
    """``(subject, body)`` of a reminder; SMS gets the short form (subject unused)."""
    support = settings.PEERLOG["SUPPORT_CONTACT"]
    with translation.override(language or settings.LANGUAGE_CODE):
        which = _("quarterly log") if kind == "quarterly" else _("monthly log")
        if channel == "sms":
            body = _(
                "PeerLog: your %(which)s is ready: %(link)s Help: %(support)s. "
                "Reply STOP or tell your project to stop reminders."
            ) % {"which": which, "link": link, "support": support}
            return "", body
        subject = _("Your peer support log: time for your %(which)s") % {"which": which}
        body = "\n\n".join([
            _("Hello,"),
            _("It is time to fill in your %(which)s. It takes a few minutes, and each log "
              "you complete enters you and your project into this month's prize draw if you "
              "chose to take part.") % {"which": which},
            _("Your personal link (it opens your own log; please do not share it):")
            + "\n" + link,
            _("If you need help, or would rather not get these reminders, contact "
              "%(support)s.") % {"support": support},
            _("Thank you for taking part."),
        ])
        return subject, body + "\n"
