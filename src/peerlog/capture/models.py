"""Capture: who takes part, and each log they completed, stored once and as given.

Research data (participants, logs) and contact details live in separate tables; contact
details are encrypted (see :mod:`peerlog.capture.crypto`) and never exported. Answers are
kept exactly as given (a ticked box stays ``"ticked"``); scores are computed from them by
:mod:`peerlog.instruments.scoring` when the log is stored, with the reason for any that are
missing.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerlog.capture.crypto import EncryptedTextField, lookup_hash


class Region(models.Model):
    """A programme area; its profile (strategic partner, hub, rural/urban) is a chapter 8
    comparison (evaluation tables 1.1 and 3.1)."""

    class Rurality(models.TextChoices):
        # DEFRA's rural-urban classification, as the evaluation's table 3.1 uses it.
        URBAN = "urban", _("Urban")
        SIGNIFICANT_RURAL = "significant_rural", _("Significant rural")
        RURAL = "rural", _("Rural (50% or more)")

    code = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    strategic_partner = models.CharField(_("strategic partner organisation"), max_length=200,
                                         blank=True)
    hub = models.CharField(_("hub organisation"), max_length=200, blank=True)
    rural_urban = models.CharField(_("rural or urban"), max_length=20, blank=True,
                                   choices=Rurality.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """A peer support project; its attributes are the subgroups commissioners compare."""

    class Approach(models.TextChoices):
        GROUP = "group", _("Group")
        ONE_TO_ONE = "one_to_one", _("One-to-one")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid (more than one)")

    # The evaluation's five key decisions (chapter 6, doc lines 3140-4136); empty = not recorded.
    class Facilitation(models.TextChoices):
        NONE = "none", _("No named facilitator")
        VOLUNTEER = "volunteer", _("Volunteer facilitator")
        PAID = "paid", _("Paid facilitator")

    class LeadersPaid(models.TextChoices):
        PAID = "paid", _("Paid")
        VOLUNTEER = "volunteer", _("Volunteer")
        MIXED = "mixed", _("Both paid and volunteer")

    class Focus(models.TextChoices):
        SOCIAL = "social", _("Social")
        ACTIVITY = "activity", _("Activity")
        SHARING_DISTRESS = "sharing_distress", _("Sharing experiences of distress")
        EDUCATIONAL = "educational", _("Educational")

    class Membership(models.TextChoices):
        OPEN = "open", _("Open to anyone")
        DIAGNOSIS = "diagnosis", _("A diagnosis")
        IDENTITY = "identity", _("An identity or community")
        RECOVERY_STAGE = "recovery_stage", _("A stage of recovery")
        TRAINING = "training", _("Training")

    class OrganisationalSupport(models.TextChoices):
        LOOSELY_AFFILIATED = "loosely_affiliated", _("Loosely affiliated to an umbrella organisation")
        SUPPORTED = "supported", _("Supported by a lead organisation")
        FULLY_INCORPORATED = "fully_incorporated", _("Fully incorporated (service delivery)")

    class BameType(models.TextChoices):
        GENERAL = "general", _("General")
        COMMUNITY_SPECIFIC = "community_specific", _("Community-specific")
        REFUGEE_MIGRANT = "refugee_migrant", _("Refugee and migrant")

    class Funding(models.TextChoices):
        STRATEGIC_PARTNER = "strategic_partner", _("Strategic partner")
        GRANT_FUNDED = "grant_funded", _("Grant-funded")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="projects")
    code = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=200)
    approach = models.CharField(_("approach"), max_length=20, choices=Approach.choices)
    funding = models.CharField(_("funding"), max_length=20, choices=Funding.choices)
    diagnosis_specific = models.BooleanField(_("diagnosis-specific"), default=False)
    bame_specific = models.BooleanField(_("BaME-specific"), default=False)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    short_version = models.BooleanField(
        _("short version by default"),
        default=False,
        help_text=_("For projects working in community languages or with learning disability."),
    )
    double_entry = models.BooleanField(_("double entry of paper logs"), default=False)
    active = models.BooleanField(default=True)

    # Profile for chapter 8 (edited on the staff console's profile page).
    facilitation = models.CharField(_("facilitation"), max_length=20, blank=True,
                                    choices=Facilitation.choices)
    peer_led = models.BooleanField(_("peer-led"), null=True, blank=True)
    leaders_trained = models.BooleanField(_("leaders trained for the role"), null=True,
                                          blank=True)
    leaders_paid = models.CharField(_("leaders paid or volunteer"), max_length=20, blank=True,
                                    choices=LeadersPaid.choices)
    focus = models.JSONField(_("focus"), default=list, blank=True)  # Focus values
    membership = models.JSONField(_("membership"), default=list, blank=True)  # Membership values
    organisational_support = models.CharField(_("organisational support"), max_length=20,
                                              blank=True, choices=OrganisationalSupport.choices)
    bame_type = models.CharField(_("BaME type"), max_length=20, blank=True,
                                 choices=BameType.choices)

    class Meta:
        ordering = ["region__name", "name"]
        verbose_name = _("project")

    def __str__(self) -> str:
        return self.name


class PersonalIdBatch(models.Model):
    """IDs handed to a project at one time, to give out to its members on slips."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="id_batches")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("personal ID batch")
        verbose_name_plural = _("personal ID batches")

    def __str__(self) -> str:
        return f"{self.project} {self.created_at:%Y-%m-%d}"


class PersonalId(models.Model):
    code = models.CharField(_("personal ID"), max_length=20, unique=True)
    batch = models.ForeignKey(PersonalIdBatch, on_delete=models.PROTECT, related_name="ids")

    class Meta:
        verbose_name = _("personal ID")

    def __str__(self) -> str:
        return self.code


class Participant(models.Model):
    """A registered person, known to research only by their personal ID."""

    class Withdrawal(models.TextChoices):
        NONE = "", _("Taking part")
        NO_CONTACT = "no_contact", _("No more contact")
        REMOVE_DATA = "remove_data", _("No more contact, and remove my data from analysis")

    personal_id = models.OneToOneField(
        PersonalId, on_delete=models.PROTECT, related_name="participant"
    )
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="participants")
    registered_at = models.DateTimeField(default=timezone.now)
    language = models.CharField(max_length=20, default="en")

    consent_information = models.BooleanField()
    consent_reminders = models.BooleanField()
    consent_data_use = models.BooleanField()
    consent_form_version = models.CharField(max_length=40)
    consented_at = models.DateTimeField()

    # "About you", stored as the option values of the registration definition.
    age_band = models.CharField(max_length=40, blank=True)
    gender = models.CharField(max_length=40, blank=True)
    transgender_history = models.CharField(max_length=40, blank=True)
    sexual_orientation = models.CharField(max_length=40, blank=True)
    ethnicity = models.CharField(max_length=60, blank=True)
    area = models.CharField(max_length=40, blank=True)
    uses_mh_services = models.CharField(max_length=40, blank=True)
    mh_services_years = models.PositiveSmallIntegerField(null=True, blank=True)
    physical_condition = models.CharField(max_length=40, blank=True)
    learning_disability = models.CharField(max_length=40, blank=True)
    transport_pass = models.CharField(max_length=40, blank=True)
    interview_interest = models.CharField(max_length=40, blank=True)
    prize_draw = models.BooleanField(default=False)

    short_version = models.BooleanField(
        null=True, blank=True, help_text=_("Empty: follow the project's setting.")
    )
    withdrawal = models.CharField(
        max_length=20, choices=Withdrawal.choices, default=Withdrawal.NONE, blank=True
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The day the person leaves the project (told to staff, or through their link): the log
    # due from then on is the last one, so it is the quarterly form (doc line 945).
    leaving_on = models.DateField(_("leaving date"), null=True, blank=True)

    registration_answers = models.JSONField(default=dict, blank=True)
    # Registered online with a project other than the one that was issued the personal ID
    # (the person chose so explicitly); staff check it (data-quality queue).
    other_project_chosen = models.BooleanField(default=False)

    class Meta:
        ordering = ["personal_id__code"]
        verbose_name = _("participant")

    def __str__(self) -> str:
        return self.personal_id.code

    @property
    def region(self) -> Region:
        return self.project.region

    @property
    def uses_short_version(self) -> bool:
        return self.project.short_version if self.short_version is None else self.short_version

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class ContactDetails(models.Model):
    """How to reach a participant: apart from research data, encrypted, never exported."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="contact"
    )
    channels = models.JSONField(default=list, blank=True)  # any of "email", "sms", "post"
    email = EncryptedTextField(blank=True)
    phone = EncryptedTextField(blank=True)  # E.164
    postal = EncryptedTextField(blank=True)  # name and address for paper logs
    reminders_opt_out = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Keyed hash of ``phone`` (crypto.lookup_hash): an inbound "STOP" text finds its sender.
    phone_lookup = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("contact details")
        verbose_name_plural = _("contact details")

    def __str__(self) -> str:
        return f"contact details of {self.participant_id}"

    def save(self, *args, **kwargs) -> None:
        self.phone_lookup = lookup_hash(self.phone)
        if kwargs.get("update_fields") is not None and "phone" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "phone_lookup"}
        super().save(*args, **kwargs)


class Log(models.Model):
    """One completed log, exactly as given, with its scores and data-quality flags."""

    class Mode(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper")

    class Status(models.TextChoices):
        COMPLETE = "complete", _("Complete")
        HELD = "held", _("Held: awaiting second entry or resolution")
        SET_ASIDE = "set_aside", _("Set aside")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="logs"
    )
    typed_personal_id = models.CharField(
        max_length=40, help_text=_("The personal ID as written or typed on the log.")
    )
    instrument = models.CharField(max_length=40)  # definition code, e.g. "monthly_short"
    kind = models.CharField(max_length=20)  # monthly | quarterly
    version = models.CharField(max_length=20)  # full | short
    language = models.CharField(max_length=20, default="en")
    mode = models.CharField(max_length=10, choices=Mode.choices)
    completed_on = models.DateField()
    received_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.COMPLETE)

    answers = models.JSONField(default=dict)
    scores = models.JSONField(default=dict)
    missing_scores = models.JSONField(default=dict)  # score name -> reason
    flags = models.JSONField(default=list)  # data-quality flags, see capture.services

    # One key per served form: a double click or a resubmitted page finds the stored log.
    submission_key = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["completed_on", "received_at"]
        indexes = [
            models.Index(fields=["participant", "completed_on"]),
            models.Index(fields=["typed_personal_id"]),
        ]
        verbose_name = _("log")

    def __str__(self) -> str:
        return f"{self.kind} log {self.typed_personal_id} {self.completed_on}"


class AuditEvent(models.Model):
    """Append-only trail of who saw contact details and who changed which log."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=40, db_index=True)
    target_type = models.CharField(max_length=40)
    target_id = models.CharField(max_length=64)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit event")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are never deleted")


class Draft(models.Model):
    """A log being filled in through a personal link: the answers so far, page by page.

    Saved on every page, so a closed tab or a lost signal loses nothing and the person
    resumes at the first unfinished page. The submission key is made when the log is started
    and handed to ``store_log``, so a resubmitted last page finds the stored log. Once the log
    is stored the answers are cleared (they live in the log) and ``log`` points at it.
    """

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="drafts")
    instrument = models.CharField(max_length=40)
    submission_key = models.CharField(max_length=64, unique=True)
    answers = models.JSONField(default=dict, blank=True)
    done_sections = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    log = models.OneToOneField(
        Log, null=True, blank=True, on_delete=models.SET_NULL, related_name="draft"
    )

    class Meta:
        constraints = [
            # At most one open log per person: two tabs or a double click share it.
            models.UniqueConstraint(
                fields=["participant"], condition=models.Q(log__isnull=True),
                name="one_open_draft_per_participant",
            )
        ]
        verbose_name = _("log in progress")

    def __str__(self) -> str:
        return f"{self.instrument} draft {self.submission_key[:8]}"


class RegistrationDraft(models.Model):
    """A registration in progress, keyed by the browser session, encrypted (it may hold
    contact details). Deleted when the registration is stored."""

    session_key = models.CharField(max_length=64, unique=True)
    answers = EncryptedTextField(blank=True)  # JSON of the answers so far
    done_sections = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("registration in progress")

    def __str__(self) -> str:
        return f"registration draft {self.pk}"


class PersonalLink(models.Model):
    """A personal link (``/l/<token>/``): the participant's key to their own pages.

    Only a SHA-256 hash of the token is kept, so a database dump opens no one's logs. A
    person may hold several working links (the one shown at registration, one per monthly
    reminder): an old reminder still opens the log that is due now, as people expect of an
    email they kept. Links expire after ``PEERLOG["LINK_LIFETIME_DAYS"]`` and staff can
    revoke them all (a lost phone, a shared inbox); see :mod:`peerlog.capture.links`.
    """

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=20)  # registration | reminder | staff | demo
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("personal link")

    def __str__(self) -> str:
        return f"{self.purpose} link of participant {self.participant_id}"


class RateLimit(models.Model):
    """Attempts of one kind from one source in one time window (:mod:`peerlog.capture.ratelimit`).

    In the database so the count holds across server processes; ``key`` is a keyed hash of
    the client address or personal ID, never the value itself. ``peerlog cleanup`` deletes
    old windows.
    """

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key", "window_start"],
                                               name="one_rate_limit_row_per_window")]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.window_start:%Y-%m-%d %H:%M} {self.count}"


class ProgrammeSettings(models.Model):
    """The programme's own names, prizes, contacts and dates: one row, edited by a central
    researcher in the staff console. An empty field means the deployment's default
    (``settings.PEERLOG``), so an empty database behaves as before; read through
    :func:`peerlog.capture.programme.current` (cached), never directly."""

    name = models.CharField(_("programme name"), max_length=100, blank=True)
    partners = models.CharField(_("partner organisations"), max_length=300, blank=True)
    prize_individual = models.CharField(_("monthly prize for an individual"), max_length=40,
                                        blank=True)
    prize_project = models.CharField(_("monthly prize for a project"), max_length=40,
                                     blank=True)
    prize_final = models.CharField(_("end-of-evaluation prizes"), max_length=40, blank=True)
    # [{"name", "phone", "when", "text"}]; empty: the UK national services (translated).
    crisis_contacts = models.JSONField(_("crisis contacts"), default=list, blank=True)
    support_name = models.CharField(_("support contact name"), max_length=100, blank=True)
    support_email = models.EmailField(_("support contact email"), blank=True)
    support_phone = models.CharField(_("support contact phone"), max_length=40, blank=True)
    programme_start = models.DateField(_("programme start"), null=True, blank=True)
    programme_end = models.DateField(_("programme end"), null=True, blank=True)
    information_text = models.TextField(_("information page text"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("programme settings")
        verbose_name_plural = _("programme settings")

    def __str__(self) -> str:
        return "programme settings"

    def save(self, *args, **kwargs) -> None:
        self.pk = 1  # a single row
        super().save(*args, **kwargs)
        from django.db import transaction

        from peerlog.capture import programme

        # Now, and again once committed: a page read between the two must not keep the old row.
        programme.forget()
        transaction.on_commit(programme.forget)
