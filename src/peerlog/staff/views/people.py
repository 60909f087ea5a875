"""Participants (pseudonymised), withdrawal, the audited contact view, the audit trail and
exports."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from peerlog.capture import audit, personal_ids
from peerlog.capture.models import AuditEvent, Participant
from peerlog.export import contract
from peerlog.staff import monitoring, quality
from peerlog.staff.access import (
    may_view_contact,
    role_required,
    visible_participants,
    visible_projects,
)
from peerlog.staff.audit_labels import action_label
from peerlog.staff.service_use import service_use
from peerlog.staff.services import record_withdrawal, revoke_personal_links
from peerlog.staff.views import contact_edit
from peerlog.staff.views.common import (
    CENTRAL,
    ROW_LEVEL,
    csv_response,
    int_param,
    participant_or_404,
    text_param,
)
from peerlog.staff.views.logs import form_title


def find_by_personal_id(user, typed: str) -> tuple[Participant | None, str]:
    """(participant, message): a typed personal ID looked up within ``user``'s scope.

    Spaces and dashes are ignored and the check digit is checked, so a typing slip gets its
    own message; an ID outside the user's projects gets the same answer as one no one has.
    """
    code = personal_ids.clean(typed)
    if code is None:
        return None, _("A personal ID has digits only: check the number.")
    if not personal_ids.is_valid(code):
        return None, _("%(id)s is not a personal ID: its last digit does not match the others. "
                       "Check it against the slip or the form.") % {"id": personal_ids.display(code)}
    person = visible_participants(user).filter(personal_id__code=code).first()
    if person is None:
        return None, _("No one found with personal ID %(id)s in your projects.") % {
            "id": personal_ids.display(code)}
    return person, ""


@role_required(*ROW_LEVEL)
def participants(request):
    typed = text_param(request.GET.get("personal_id", ""), 40).strip()
    search_error = ""
    if typed:
        person, search_error = find_by_personal_id(request.user, typed)
        if person is not None:
            return redirect("staff:participant", person.pk)
    people = (visible_participants(request.user).select_related("personal_id", "project")
              .order_by("project__name", "personal_id__code"))
    project = int_param(request.GET.get("project", ""))
    if project is not None:
        people = people.filter(project_id=project)
    page = Paginator(people, 100).get_page(request.GET.get("page"))
    return render(request, "staff/participants.html", {
        "page": page, "projects": visible_projects(request.user),
        "project": "" if project is None else str(project),
        "typed": typed, "search_error": search_error,
    }, status=200)


class WithdrawalForm(forms.Form):
    withdrawal = forms.ChoiceField(
        label=gettext_lazy("Withdrawal"), widget=forms.RadioSelect,
        choices=[(Participant.Withdrawal.NO_CONTACT, Participant.Withdrawal.NO_CONTACT.label),
                 (Participant.Withdrawal.REMOVE_DATA, Participant.Withdrawal.REMOVE_DATA.label)])
    note = forms.CharField(label=gettext_lazy("Note (optional)"), required=False, max_length=300)


class ContactReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why do you need these contact details?"),
                             min_length=5, max_length=300)


@role_required(*ROW_LEVEL)
def participant(request, pk: int):
    person = participant_or_404(request.user, pk)
    status = monitoring.due_status(person)
    logs = [{"log": log, "form": form_title(log.instrument),
             "flags": [str(quality.REASONS.get(f, f)) for f in log.flags if f in quality.REASONS]}
            for log in person.logs.order_by("completed_on", "pk")]
    return render(request, "staff/participant.html", {
        "person": person, "logs": logs, "status": status,
        "display_id": personal_ids.display(person.personal_id.code),
        "next_form": form_title(status["next_form"]),
        "channels": ", ".join(str(monitoring.CHANNEL_LABELS[c]) for c in status["channels"]),
        "withdrawal_form": WithdrawalForm(),
        "live_links": person.links.filter(revoked_at__isnull=True,
                                          expires_at__gt=timezone.now()).count(),
        "contact_form": ContactReasonForm() if may_view_contact(request.user) else None,
        **_service_use_context(request, person),
        "own_words": own_words(person),
    })


def _service_use_context(request, person) -> dict:
    """Service use per quarterly log (issue 13): answers about a person's health care, so
    showing them is audited like opening a log."""
    periods = service_use(person)
    if periods:
        audit.record(request.user, "participant.service_use_view", person,
                     logs=[p["log"].pk for p in periods])
    return {"service_use": periods}


def own_words(person) -> list[tuple[str, str, str]]:
    """(question, chosen answer, their words) for each "Other, please specify" answer given at
    registration, for staff to code (never exported by default: export/columns.py)."""
    from peerlog.export.columns import OTHER_SPECIFY
    from peerlog.instruments import load_instrument

    inst = load_instrument("registration")
    out = []
    for code in OTHER_SPECIFY:
        text = str(person.registration_answers.get(code) or "").strip()
        if text:
            parent = code.removesuffix("_other")
            option = inst.items[parent].option(getattr(person, parent, ""))
            out.append((inst.items[parent].text.rstrip("?"),
                        option.text if option else "", text))
    return out


@role_required(*ROW_LEVEL)
@require_POST
def revoke_links(request, pk: int):
    person = participant_or_404(request.user, pk)
    revoked = revoke_personal_links(person, request.user)
    messages.success(request, ngettext("%(n)d personal link no longer works.",
                                       "%(n)d personal links no longer work.", revoked)
                     % {"n": revoked})
    return redirect("staff:participant", person.pk)


@role_required(*ROW_LEVEL)
@require_POST
def withdraw(request, pk: int):
    person = participant_or_404(request.user, pk)
    form = WithdrawalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the kind of withdrawal."))
    else:
        record_withdrawal(person, request.user, form.cleaned_data["withdrawal"],
                          form.cleaned_data["note"])
        messages.success(request, _("Withdrawal recorded."))
    return redirect("staff:participant", person.pk)


@role_required(CENTRAL)
@require_POST
@never_cache
def contact(request, pk: int):
    """Contact details, shown once, after a stated reason (the view is audited first)."""
    person = participant_or_404(request.user, pk)
    form = ContactReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("State why you need the contact details (at least 5 characters)."))
        return redirect("staff:participant", person.pk)
    details = audit.view_contact(person, request.user, form.cleaned_data["reason"])
    response = render(request, "staff/contact.html", {"person": person, "details": details,
                                                      "edit_form": contact_edit.form_for(details)})
    response["Cache-Control"] = "no-store"
    return response


@role_required(CENTRAL)
def audit_trail(request):
    events = AuditEvent.objects.select_related("actor")
    action = text_param(request.GET.get("action", ""), 100)
    if action:
        events = events.filter(action=action)
    if request.GET.get("format") == "csv":
        audit.record(request.user, "audit.export", "audit_trail", filter=action)
        return csv_response("peerlog-audit.csv", ["at", "actor", "action", "target_type",
                                                  "target_id", "detail"],
                            ([e.at.isoformat(), e.actor_label, e.action, e.target_type,
                              e.target_id, e.detail] for e in events.iterator()))
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    codes = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
    for event in page:
        event.action_label = action_label(event.action)
    return render(request, "staff/audit.html", {
        "page": page, "action": action,
        "actions": sorted(((c, action_label(c)) for c in codes), key=lambda a: a[1].lower())})


@role_required(CENTRAL)
def exports(request):
    return render(request, "staff/exports.html")


@role_required(CENTRAL)
def export_csv(request, name: str):
    if name == "participants":
        columns, rows = contract.PARTICIPANT_COLUMNS, contract.participant_rows()
    elif name == "logs":
        columns, rows = contract.LOG_COLUMNS, contract.log_rows()
    else:
        raise Http404
    audit.record(request.user, "export", f"{name}.csv", via="staff console")
    return csv_response(f"{name}.csv", columns, ([r.get(c, "") for c in columns] for r in rows))


@role_required(*ROW_LEVEL)
@require_POST
@never_cache
def send_link(request, pk: int):
    """A new personal link by the person's chosen channel: email/SMS through the outbox, sent
    at once; by post, a printable letter (made now, never stored) with the link as a QR code
    and in words. Audited either way."""
    from django.db import transaction

    from peerlog.capture import links
    from peerlog.outreach import newlink, remind
    from peerlog.staff.views.common import pdf_response

    person = participant_or_404(request.user, pk)
    if person.withdrawal:
        messages.error(request, _("This person has withdrawn: no link is sent."))
        return redirect("staff:participant", person.pk)
    contact = getattr(person, "contact", None)
    chosen = set(contact.channels or ()) if contact else set()
    channels = tuple(c for c in newlink.link_channels(person) if c in chosen)
    if channels:
        counts = remind.send_now(newlink.queue_link(person, actor=request.user, origin="staff",
                                                    channels=channels))
        if counts.get("sent", 0) == len(channels):
            messages.success(request, _("A new personal link was sent."))
        else:
            messages.warning(request, _("A new personal link is in the outbox but could not be "
                                        "sent yet: the next reminder run tries again."))
        return redirect("staff:participant", person.pk)
    with transaction.atomic():
        token = links.new_token(person, "staff-letter")
        audit.record(request.user, "participant.link_letter", person)
    from django.conf import settings

    response = pdf_response(
        newlink.letter_pdf(person, settings.PEERLOG["SITE_URL"] + links.link_path(token)),
        f"new-link-{person.personal_id.code}.pdf")
    response["Cache-Control"] = "no-store"
    return response
