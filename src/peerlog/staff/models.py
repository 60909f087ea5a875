"""Staff roles: who may see what (the table in docs/architecture and the README).

A staff account has exactly one role. Coordinators are tied to projects, regional
researchers to regions; central researchers, commissioners and administrators to the whole
programme. :mod:`peerlog.staff.access` turns a role into querysets, so every view asks the
same question the same way.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peerlog.capture.models import Project, Region


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Project coordinator / evaluation ambassador")
    REGIONAL_RESEARCHER = "regional_researcher", _("Regional researcher")
    CENTRAL_RESEARCHER = "central_researcher", _("Central researcher")
    COMMISSIONER = "commissioner", _("Commissioner / programme")
    ADMINISTRATOR = "administrator", _("Administrator")


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    projects = models.ManyToManyField(Project, blank=True, related_name="coordinators")
    regions = models.ManyToManyField(Region, blank=True, related_name="researchers")

    class Meta:
        verbose_name = _("staff profile")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
