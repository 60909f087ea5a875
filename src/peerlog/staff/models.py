"""Staff roles: who may see what (the table in docs/architecture and the README).

A staff account has exactly one role. Coordinators are tied to projects, regional
researchers to regions; central researchers, commissioners and administrators to the whole
programme. :mod:`peerlog.staff.access` turns a role into querysets, so every view asks the
same question the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerlog.capture.crypto import EncryptedTextField
from peerlog.capture.models import Log, Participant, Project, Region


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
    # Set when someone else set the password or reset the authenticator: the person must
    # choose a new password themselves before any other page (peerlog.staff.middleware).
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("staff profile")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


# --- Signing in: a second factor (TOTP); throttling is django-axes (peerlog.staff.lockout) --


class TotpDevice(models.Model):
    """A staff member's authenticator app: an RFC 6238 secret, encrypted like contact details."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device"
    )
    secret = EncryptedTextField()  # base32, as shown to the user at enrolment
    confirmed = models.BooleanField(default=False)
    last_step = models.BigIntegerField(default=0)  # a code is accepted once (no replay)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("authenticator")

    def __str__(self) -> str:
        return f"authenticator of {self.user}"


class BackupCode(models.Model):
    """A one-time code a staff member may type instead of an authenticator code (a lost
    phone). Only a hash is stored; a code is spent by one conditional update."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="backup_codes")
    code_hash = models.CharField(max_length=200)  # Django password hasher, salted
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("backup code")

    def __str__(self) -> str:
        return f"backup code of {self.user} ({'used' if self.used_at else 'unused'})"


# --- Paper logs: first, second (blind) and resolving entries --------------------------------


class PaperEntry(models.Model):
    """One person's typing of one paper form.

    The first entry stores the log (held when the project double-enters); a second entry of
    the same form is typed blind and compared field by field; a third person resolves each
    difference. Every entry is kept, so how a log came to be is always visible.
    """

    class Kind(models.TextChoices):
        FIRST = "first", _("First entry")
        SECOND = "second", _("Second entry")
        RESOLUTION = "resolution", _("Resolution of differences")

    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="paper_entries")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="paper_entries")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)
    # Every field as typed, including the personal ID and the date on the form.
    values = models.JSONField(default=dict)

    class Meta:
        ordering = ["log", "entered_at"]
        constraints = [
            models.UniqueConstraint(fields=["log", "kind"], name="one_entry_of_each_kind"),
        ]
        verbose_name = _("paper entry")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of log {self.log_id}"


# --- Data quality: what was decided about each problem ---------------------------------------


class QualityReview(models.Model):
    """A decision on one data-quality problem of one log (it leaves the queue)."""

    log = models.ForeignKey(Log, on_delete=models.CASCADE, related_name="quality_reviews")
    reason = models.CharField(max_length=40)
    outcome = models.CharField(max_length=40)
    note = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["log", "reason"], name="one_review_per_problem"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} of log {self.log_id}: {self.outcome}"


class RepeatRegistration(models.Model):
    """A registration judged to be (or not to be) a person registering again."""

    class Outcome(models.TextChoices):
        SAME_PERSON = "same_person", _("Same person: logs routed to the first registration")
        DIFFERENT = "different", _("Different people")

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="repeat_review"
    )
    same_as = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.participant} {self.outcome}"


# --- Passwords: every change is audited, and one set by someone else must be replaced --------


_ACTOR: ContextVar[Any] = ContextVar("peerlog_password_actor", default=None)


@contextmanager
def acting_as(actor: Any) -> Iterator[None]:
    """Passwords saved inside the block are set by ``actor`` (for forms that save themselves)."""
    token = _ACTOR.set(actor)
    try:
        yield
    finally:
        _ACTOR.reset(token)


def password_set_by(user: Any, actor: Any) -> None:
    """Name who is setting ``user``'s password before ``user.save()`` (the audit's actor).

    Without it (``peerlog manage changepassword``, a shell) the change is still audited, with
    the actor "outside the console", and counts as set by someone else.
    """
    user._peerlog_password_actor = actor


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _note_password_change(sender, instance, **kwargs) -> None:
    # Django keeps the raw password in ``_password`` from set_password() until save().
    instance._peerlog_password_changed = (
        getattr(instance, "_password", None) is not None and instance.pk is not None
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _audit_password_change(sender, instance, created, **kwargs) -> None:
    if created or not getattr(instance, "_peerlog_password_changed", False):
        return
    from peerlog.capture import audit

    instance._peerlog_password_changed = False
    actor = getattr(instance, "_peerlog_password_actor", None) or _ACTOR.get()
    instance._peerlog_password_actor = None
    by_self = actor is not None and getattr(actor, "pk", None) == instance.pk
    StaffProfile.objects.filter(user=instance).update(must_change_password=not by_self)
    audit.record(actor if actor is not None else "outside the console",
                 "staff.password_change" if by_self else "staff.password_reset", instance,
                 by_self=by_self)


# --- Analysis runs from the console: a job a separate process carries out ------------------


class AnalysisJob(models.Model):
    """A fresh analysis of the current data, asked for by a central researcher.

    The request only records the job; a separate process (``peerlog run-analysis-jobs``,
    started by the view and by a timer) claims it, exports, analyses and records progress, so
    no web request waits for the analysis. At most one job is queued or running at a time
    (a partial unique index), so a double click cannot start two.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    ACTIVE = (State.QUEUED, State.RUNNING)

    kind = models.CharField(max_length=20, default="analysis", editable=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    step = models.CharField(max_length=100, blank=True)  # what it is doing now (English)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)  # heartbeat while running
    output = models.CharField(max_length=100, blank=True)  # the report folder's name
    message = models.CharField(max_length=500, blank=True)  # plain words, never a traceback

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=models.Q(
                state__in=["queued", "running"]), name="one_active_analysis_job"),
        ]
        verbose_name = _("analysis job")

    def __str__(self) -> str:
        return f"analysis job {self.pk} ({self.state})"

    @property
    def active(self) -> bool:
        return self.state in self.ACTIVE


# --- Post: the monthly mailing of paper forms to people who chose post ------------------------


class PostMailing(models.Model):
    """One mailing a coordinator made: who got a letter (their personal IDs are in
    ``participants``; addresses are read only when the labels are printed, audited)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="post_mailings")
    month = models.CharField(max_length=7)  # YYYY-MM
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                related_name="+")
    made_at = models.DateTimeField(default=timezone.now)
    reprint = models.BooleanField(default=False)  # includes people already posted this month
    participants = models.ManyToManyField(Participant, related_name="post_mailings")
    # Forms as chosen at the time: {participant pk: instrument code}.
    forms = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-made_at", "-pk"]
        verbose_name = _("post mailing")

    def __str__(self) -> str:
        return f"post mailing {self.pk} ({self.month})"
