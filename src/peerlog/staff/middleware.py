"""Staff sessions: timeouts, and a password the person chose themselves before anything else.

Only requests with a signed-in user are touched: participants never sign in (their pages
work from the session and personal links), so their registration sessions keep Django's
lifetime.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

SIGNED_IN_AT = "staff_signed_in_at"
SEEN_AT = "staff_seen_at"
STAFF_PATHS = ("/staff/", "/admin/")
TOUCH_EVERY = 60  # seconds: how often the last-seen time is written back to the session


def start(request: HttpRequest) -> None:
    """Call right after ``auth.login``: the session's clocks start now."""
    now = time.time()
    request.session[SIGNED_IN_AT] = request.session[SEEN_AT] = now
    request.session.set_expiry(int(settings.STAFF_IDLE_TIMEOUT.total_seconds()))


class StaffSessionMiddleware:
    """Signs staff out after ``STAFF_IDLE_TIMEOUT`` without a request or
    ``STAFF_ABSOLUTE_TIMEOUT`` after signing in, and holds anyone whose password was set by
    someone else (or whose authenticator was reset) on the password-change page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(STAFF_PATHS):
            # Participant pages: nobody signs in there, and they must not need the session
            # table (a registration page re-drawn while the database is down, issue 9 item 13).
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._check_clocks(request)
            if expired:
                auth.logout(request)
                messages.info(request, expired)
                if request.method == "GET":
                    return redirect_to_login(request.get_full_path())
                return redirect("staff:login")
            if self._must_change_password(user) and request.path not in self._allowed():
                return redirect("staff:password_change")
        return self.get_response(request)

    @staticmethod
    def _check_clocks(request: HttpRequest) -> str | None:
        """Why the session ended, or None (and the last-seen time moved on)."""
        session, now = request.session, time.time()
        signed_in = session.get(SIGNED_IN_AT)
        seen = session.get(SEEN_AT)
        if not isinstance(signed_in, int | float) or not isinstance(seen, int | float):
            start(request)  # a session from before these clocks (or a test's force_login)
            return None
        if now - signed_in > settings.STAFF_ABSOLUTE_TIMEOUT.total_seconds():
            return _("You were signed out because you signed in more than 12 hours ago. "
                     "Please sign in again.")
        if now - seen > settings.STAFF_IDLE_TIMEOUT.total_seconds():
            return _("You were signed out after 30 minutes without activity. "
                     "Please sign in again.")
        if now - seen > TOUCH_EVERY:
            session[SEEN_AT] = now
            session.set_expiry(int(settings.STAFF_IDLE_TIMEOUT.total_seconds()))
        return None

    @staticmethod
    def _must_change_password(user) -> bool:
        from peerlog.staff.models import StaffProfile

        return StaffProfile.objects.filter(user=user, must_change_password=True).exists()

    @staticmethod
    def _allowed() -> set[str]:
        return {reverse("staff:password_change"), reverse("staff:logout")}
