"""What a staff member may see, as querysets: one place answers it for every view.

| role | projects | participant rows | contact details |
|---|---|---|---|
| coordinator | their projects | their projects' | no |
| regional researcher | their regions' projects | those projects' | no |
| central researcher | all | all (pseudonymised) | only through the audited view |
| commissioner | all, aggregates only | none | no |
| administrator | accounts and settings | none | no |
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from peerlog.capture.models import Participant, Project
from peerlog.staff.models import Role, StaffProfile

ROW_LEVEL_ROLES = frozenset({Role.COORDINATOR, Role.REGIONAL_RESEARCHER, Role.CENTRAL_RESEARCHER})


def role_of(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    profile = StaffProfile.objects.filter(user=user).only("role").first()
    return profile.role if profile else None


def visible_projects(user: Any) -> QuerySet[Project]:
    """Projects whose figures ``user`` may see (aggregates for commissioners)."""
    role = role_of(user)
    if role == Role.COORDINATOR:
        return Project.objects.filter(coordinators__user=user)
    if role == Role.REGIONAL_RESEARCHER:
        return Project.objects.filter(region__researchers__user=user)
    if role in (Role.CENTRAL_RESEARCHER, Role.COMMISSIONER):
        return Project.objects.all()
    return Project.objects.none()


def visible_participants(user: Any) -> QuerySet[Participant]:
    """Participant rows ``user`` may see; commissioners and administrators see none."""
    if role_of(user) not in ROW_LEVEL_ROLES:
        return Participant.objects.none()
    return Participant.objects.filter(project__in=visible_projects(user))


def may_view_contact(user: Any) -> bool:
    return role_of(user) == Role.CENTRAL_RESEARCHER


def role_required(*roles: str):
    """View decorator: signed-in staff with one of ``roles``, otherwise 403 (login first)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            from django.contrib.auth.views import redirect_to_login

            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if role_of(request.user) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
