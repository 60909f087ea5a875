"""Template context for staff pages: the navigation a role may use (and nothing more)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from peerlog.staff.access import role_of
from peerlog.staff.models import Role

R, C, REG, CEN, COM, ADM = (None, Role.COORDINATOR, Role.REGIONAL_RESEARCHER,
                            Role.CENTRAL_RESEARCHER, Role.COMMISSIONER, Role.ADMINISTRATOR)
ROW_LEVEL = (C, REG, CEN)

# (url name, label, roles); the same table decides the views' role_required (see views).
NAV = [
    ("staff:home", _("Home"), (C, REG, CEN, COM, ADM)),
    ("staff:monitoring", _("Monitoring"), (C, REG, CEN, COM)),
    ("staff:participants", _("Participants"), ROW_LEVEL),
    ("staff:due", _("Due a log"), ROW_LEVEL),
    ("staff:post", _("Post mailing"), (C,)),
    ("staff:id_batches", _("Personal IDs"), ROW_LEVEL),
    ("staff:paper_forms", _("Paper forms"), ROW_LEVEL),
    ("staff:entry_start", _("Paper entry"), ROW_LEVEL),
    ("staff:quality", _("Data quality"), ROW_LEVEL),
    ("staff:exports", _("Exports"), (CEN,)),
    ("staff:reports", _("Reports"), (C, REG, CEN, COM)),
    ("staff:profiles", _("Profiles"), ROW_LEVEL),
    ("staff:audit", _("Audit trail"), (CEN,)),
    ("staff:accounts", _("Accounts"), (ADM,)),
    ("staff:reminders", _("Reminders and draws"), ROW_LEVEL),
    ("staff:settings", _("Settings"), ROW_LEVEL),
    ("staff:password_change", _("Change password"), (C, REG, CEN, COM, ADM)),
    ("staff:backup_codes", _("Backup codes"), (C, REG, CEN, COM, ADM)),
]


def staff_nav(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path.startswith("/staff/"):
        return {}
    role = role_of(user)
    links = []
    for name, label, roles in NAV:
        if role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # a part not installed (yet)
            continue
        current = request.path == url if name == "staff:home" else request.path.startswith(url)
        links.append({"url": url, "label": label, "current": current})
    label = Role(role).label if role else ""
    return {"staff_nav": links, "staff_role": role, "staff_role_label": label}
