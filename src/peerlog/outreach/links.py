"""The personal link a reminder carries: a fresh ``/l/<token>/`` per month.

Links are issued by :mod:`peerlog.capture.links` (only hashes are stored, so a reminder
cannot look an existing link up). Earlier links keep working until they expire or staff
revoke them. One link is issued per participant per month and shared by that month's
email and SMS; the message text is kept encrypted in the outbox, so a retry sends the very
same link.
"""

from __future__ import annotations

from peerlog.capture.links import issue_link as _issue_link
from peerlog.capture.models import Participant


def issue_link(participant: Participant) -> str:
    return _issue_link(participant, "reminder")
