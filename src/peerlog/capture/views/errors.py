"""Error pages in the participant layout and language: 403 (and a lost CSRF cookie), 404, a
personal link that does not work, 500, and 503 when the database cannot be reached.

None of them may need the database: they are what people see when it is down. Each message
says what happened and what to do; none shows technical detail.
"""

from __future__ import annotations

import logging
import sys

from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from peerlog.web.logmask import mask

#: What a database that is down, locked or unreachable raises.
DB_UNAVAILABLE = (OperationalError, InterfaceError)

logger = logging.getLogger("peerlog.capture")


def _user_or_visitor(request: HttpRequest) -> None:
    """Staff navigation reads the signed-in user (the session table): when that fails, the
    page is drawn as for a visitor."""
    try:
        request.user.is_authenticated  # noqa: B018 (loads the user now, or fails now)
    except (*DB_UNAVAILABLE, AttributeError):
        request.user = AnonymousUser()


def without_database(request: HttpRequest) -> None:
    """Draw a page with the database down: as a visitor, and saving no session."""
    _user_or_visitor(request)
    session = getattr(request, "session", None)
    if session is not None:
        session.modified = False  # nothing to save, and nowhere to save it


def page(request: HttpRequest, template: str, status: int, **context) -> HttpResponse:
    _user_or_visitor(request)
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def unavailable(request: HttpRequest) -> HttpResponse:
    """503: the database cannot be reached; nothing was saved; try again shortly."""
    logger.warning("Database unavailable: %s %s", request.method, mask(request.path))
    without_database(request)
    response = page(request, "capture/error_unavailable.html", 503,
                    title=_("Sorry, we cannot open this page just now"))
    response["Retry-After"] = "60"
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 when the security cookie is missing or stale (cleared cookies, a long pause)."""
    return page(request, "capture/error_csrf.html", 403,
                title=_("Your page had expired"), back=request.path)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return page(request, "capture/error_403.html", 403, title=_("You cannot open this page"))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = getattr(exception, "link_reason", None)
    if reason:
        return page(request, "capture/link_not_working.html", 404, reason=reason,
                    title=_("This link does not work"))
    return page(request, "capture/error_404.html", 404, title=_("Page not found"))


def server_error(request: HttpRequest) -> HttpResponse:
    if isinstance(sys.exception(), DB_UNAVAILABLE):
        return unavailable(request)
    return page(request, "capture/error_500.html", 500, title=_("Sorry, something went wrong"))
