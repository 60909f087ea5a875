"""The monthly post mailing: paper forms for people who chose post (issue 13, item 3).

A coordinator makes the mailing for one of their projects: everyone due a log who chose post
gets a letter with the due paper form, their personal ID printed in it. The mailing records
one outbox message per person (channel ``post``, recorded as sent: staff post it), so a second
mailing the same month leaves out those already sent unless a reprint is asked for, and the
outbox's one-reminder-a-month constraint keeps a double submit from recording twice.
Addresses are read only to print the labels, and each printing is audited with the count and
the personal IDs, never the addresses.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from peerlog.capture import audit, personal_ids
from peerlog.capture.models import ContactDetails, Participant, Project
from peerlog.capture.schedule import kind_of_log
from peerlog.instruments import languages
from peerlog.outreach.models import Message
from peerlog.outreach.schedule import month_key
from peerlog.staff.models import PostMailing
from peerlog.staff.monitoring import DuePerson, due_people
from peerlog.staff.pdf import paper_form_html

POST = Message.Channel.POST
LABELS_PER_PAGE = 21  # A4, 3 across and 7 down (70 x 42.3 mm)


def due_by_post(projects: QuerySet[Project], today: dt.date | None = None) -> list[DuePerson]:
    """People due a log who chose post as a reminder channel."""
    return [d for d in due_people(projects, today) if POST in d.channels]


def posted_this_month(people: list[Participant], month: str) -> set[int]:
    """Participants (pks) whose letter for ``month`` was already recorded as sent."""
    return set(Message.objects.filter(
        participant__in=people, channel=POST, purpose=Message.Purpose.REMINDER, month=month,
    ).values_list("participant_id", flat=True))


def _has_address(people: list[Participant]) -> set[int]:
    """Who has a postal address on record (decrypted on the server, never shown)."""
    rows = ContactDetails.objects.filter(participant__in=people)
    return {c.participant_id for c in rows if c.postal.strip()}


def make_mailing(project: Project, user, *, reprint: bool = False,
                 today: dt.date | None = None) -> tuple[PostMailing | None, list[str]]:
    """Record a mailing of ``project``'s people due by post. Returns the mailing (None when
    there is no one new to post) and the personal IDs left out for want of an address."""
    today = today or timezone.localdate()
    month = month_key(today)
    due = due_by_post(Project.objects.filter(pk=project.pk), today)
    people = [d.participant for d in due]
    addressed = _has_address(people)
    no_address = [p.personal_id.code for p in people if p.pk not in addressed]
    due = [d for d in due if d.participant.pk in addressed]
    try:
        with transaction.atomic():
            posted = posted_this_month([d.participant for d in due], month)
            chosen = due if reprint else [d for d in due if d.participant.pk not in posted]
            if not chosen:
                return None, no_address
            now = timezone.now()
            mailing = PostMailing.objects.create(
                project=project, month=month, made_by=user, reprint=reprint,
                forms={str(d.participant.pk): d.next_form for d in chosen})
            mailing.participants.set([d.participant for d in chosen])
            for d in chosen:
                if d.participant.pk in posted:
                    continue
                number = getattr(d.participant, "n_logs", 0) + 1
                msg = Message(participant=d.participant, purpose=Message.Purpose.REMINDER,
                              month=month, channel=POST, log_number=number,
                              log_kind=kind_of_log(number), language=d.participant.language,
                              body="", state=Message.State.SENT, sent_at=now)
                msg.note("posted", mailing=mailing.pk, by=audit.actor_label(user))
                msg.save()
            ids = sorted(d.participant.personal_id.code for d in chosen)
            audit.record(user, "post.mailing", mailing, project=project.code, month=month,
                         count=len(ids), personal_ids=ids,
                         reprinted=sum(d.participant.pk in posted for d in chosen))
    except IntegrityError:  # a double submit recorded these letters meanwhile
        return None, no_address
    return mailing, no_address


def mailing_people(mailing: PostMailing) -> list[Participant]:
    """The mailing's people in print order (by personal ID): letters and labels match."""
    return list(mailing.participants.select_related("personal_id", "project")
                .order_by("personal_id__code"))


def _language(participant: Participant) -> tuple[str, str]:
    lang = next((x for x in languages() if x.code == participant.language), None)
    return (lang.code, lang.direction) if lang else ("en", "ltr")


def _pdf(htmls: list[str]) -> bytes:
    """Several HTML documents as one PDF (each keeps its own page rules)."""
    from weasyprint import HTML

    docs = [HTML(string=html).render() for html in htmls]
    return docs[0].copy([page for doc in docs for page in doc.pages]).write_pdf()


def letters_pdf(mailing: PostMailing, user) -> bytes:
    """Each person's letter followed by their due paper form, their ID printed in it."""
    people = mailing_people(mailing)
    htmls = []
    for number, person in enumerate(people, 1):
        language, direction = _language(person)
        form = mailing.forms.get(str(person.pk), "monthly")
        code = person.personal_id.code
        with translation.override(language):
            htmls.append(render_to_string("staff/pdf/post_letter.html", {
                "personal_id": personal_ids.display(code), "project": person.project.name,
                "language": language, "direction": direction, "number": number,
                "total": len(people),
            }))
        htmls.append(paper_form_html(form, language, code))
    audit.record(user, "post.letters", mailing, count=len(people),
                 personal_ids=[p.personal_id.code for p in people])
    return _pdf(htmls)


def labels_pdf(mailing: PostMailing, user) -> bytes:
    """Address labels in the letters' order; reading the addresses is audited (count and
    personal IDs, not the addresses)."""
    people = mailing_people(mailing)
    contacts = {c.participant_id: c for c in ContactDetails.objects.filter(participant__in=people)}
    audit.record(user, "contact.view", mailing, reason="post mailing: address labels",
                 count=len(people), personal_ids=[p.personal_id.code for p in people])
    labels = [{"number": n, "lines": (contacts[p.pk].postal if p.pk in contacts else "")
               .strip().splitlines()} for n, p in enumerate(people, 1)]
    pages = [labels[i:i + LABELS_PER_PAGE] for i in range(0, len(labels), LABELS_PER_PAGE)]
    return _pdf([render_to_string("staff/pdf/post_labels.html", {"pages": pages,
                                                                 "mailing": mailing})])
