"""What every participant page shares: the active language, the instruments in it, and the
turning of a :class:`~peerlog.capture.forms.SectionForm` into accessible page blocks.

Pages are server-rendered and work without JavaScript. Each question is rendered by
``capture/_question.html``: radio and checkbox groups in a fieldset with a legend, hints and
errors linked with ``aria-describedby``, an error summary at the top linking to each field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from peerlog.capture.forms import NumberOrPreferNotField, SectionForm
from peerlog.capture.programme import instrument_settings
from peerlog.instruments import PREFER_NOT, languages, load_instrument, offered
from peerlog.instruments.model import Group, Instrument, Item, Section

#: Answers of these types are contact details: never stored with research answers.
CONTACT_TYPES = {"email", "phone", "postal"}

AUTOCOMPLETE = {"email": "email", "phone": "tel", "postal": "street-address"}


def instrument_languages() -> set[str]:
    return {lang.code for lang in languages()}


def active_language() -> str:
    """The active interface language if the forms exist in it, else English."""
    code = (translation.get_language() or "en").split("-")[0]
    return code if code in instrument_languages() else "en"


@lru_cache(maxsize=64)
def _instrument(code: str, language: str, filled: tuple[tuple[str, str], ...]) -> Instrument:
    if not offered(code, language):
        language = "en"  # a full form its translation leaves out (short-only translations)
    return load_instrument(code).translated(language).rendered(dict(filled))


def instrument(code: str, language: str | None = None) -> Instrument:
    """The form ``code`` in ``language`` (default: the active one), placeholders filled; in
    English if that language's translation covers only the short forms."""
    return _instrument(code, language or active_language(),
                       tuple(sorted(instrument_settings().items())))


def today() -> dt.date:
    return timezone.localdate()


@dataclass
class Question:
    """One question as the template draws it."""

    bf: forms.BoundField
    item: Item
    kind: str  # choice | multi | number | text | textarea | date | grid_cell
    label: str = ""
    hint: str = ""
    prefer_not: bool = False  # a number with a "prefer not to answer" box
    prefer_not_checked: bool = False

    @property
    def id(self) -> str:
        return self.bf.id_for_label or f"id_{self.bf.name}"

    @property
    def input_type(self) -> str:
        return "checkbox" if self.kind == "multi" else "radio"

    @property
    def options(self) -> list[dict[str, Any]]:
        """Radio buttons or checkboxes drawn directly by the template (much cheaper than a
        widget template per option, which matters on the 12-question scale pages)."""
        current = self.bf.value()
        if current is None:
            current = []
        elif isinstance(current, str | int) or not hasattr(current, "__iter__"):
            current = [current]
        chosen = {str(v) for v in current}
        return [{"id": f"{self.bf.auto_id}_{i}", "value": value, "label": label,
                 "checked": str(value) in chosen}
                for i, (value, label) in enumerate(self.bf.field.choices)]

    @property
    def html(self) -> SafeString:
        """The question as ``capture/_question.html`` draws it, from a cache when nothing
        about the request can change it (see :func:`_question_key`)."""
        key = _question_key(self)
        if key is None:
            return _render_question(self)
        html = _QUESTION_HTML.get(key)
        if html is None:
            if len(_QUESTION_HTML) >= QUESTION_CACHE_SIZE:
                _QUESTION_HTML.clear()
            html = _QUESTION_HTML[key] = _render_question(self)
        return html

    @property
    def widget_html(self) -> SafeString:
        """The field's widget alone (grid cells), cached like :attr:`html`."""
        key = _question_key(self)
        if key is None or self.kind in ("choice", "multi"):
            return SafeString(self.bf)
        key = ("widget", *key)
        html = _QUESTION_HTML.get(key)
        if html is None:
            if len(_QUESTION_HTML) >= QUESTION_CACHE_SIZE:
                _QUESTION_HTML.clear()
            html = _QUESTION_HTML[key] = SafeString(self.bf)
        return html

    @property
    def describedby(self) -> str:
        ids = []
        if self.hint:
            ids.append(f"{self.bf.auto_id}-hint")
        if self.bf.errors:
            ids.append(f"{self.bf.auto_id}-error")
        return " ".join(ids)

    @property
    def anchor(self) -> str:
        """Where the error summary links to: the field, or a group's first option."""
        if self.kind in ("choice", "multi"):
            return f"{self.bf.auto_id}_0"
        return self.bf.auto_id


#: Rendered questions by everything that goes into their markup (bounded; cleared when full).
_QUESTION_HTML: dict[tuple, SafeString] = {}
QUESTION_CACHE_SIZE = 4096


def _render_question(q: Question) -> SafeString:
    return get_template("capture/_question.html").render({"q": q})


def _question_key(q: Question) -> tuple | None:
    """Everything the markup of ``q`` depends on, or None when it must be drawn afresh.

    The template shows the question's texts, its field's name and id, its options and which
    are chosen (or, for other kinds, an empty widget drawn from its class, attributes and
    requiredness) and two translated strings. Questions with an error message, with a typed
    value (numbers, text, dates, contact details) or a choice outside the options are drawn
    afresh, so the cache holds only what the definitions produce: no one's typed answers.
    """
    bf = q.bf
    if bf.errors:
        return None
    f = bf.field
    value = bf.value()
    if q.kind in ("choice", "multi"):
        values = value if isinstance(value, list | tuple) else [] if value is None else [value]
        chosen = frozenset(str(v) for v in values)
        choices = tuple((str(v), str(label)) for v, label in f.choices)
        if not chosen <= {v for v, _label in choices}:
            return None
        state: tuple = (chosen, choices)
    elif value is None or value == "":
        w = f.widget
        attrs = tuple(sorted((k, str(v)) for k, v in w.attrs.items()))
        state = (type(f), type(w), f.required, f.disabled, str(f.help_text), w.is_localized,
                 getattr(w, "format", None), attrs)
    else:
        return None
    return (translation.get_language(), type(bf.form), bf.form.use_required_attribute,
            q.kind, bf.name, bf.html_name, bf.auto_id,
            str(q.label), str(q.hint), q.prefer_not, q.prefer_not_checked, state)


@dataclass
class Block:
    """A group of questions: a plain list, a scale (shared options) or a grid."""

    group: Group
    layout: str
    questions: list[Question] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # grid rows


def _kind(item: Item, f: forms.Field) -> str:
    if item.type == "multi" or isinstance(f.widget, forms.CheckboxSelectMultiple):
        return "multi"
    if item.type == "single" or isinstance(f.widget, forms.RadioSelect):
        return "choice"  # also a list the page builds (registration's projects)
    if item.type in ("text", "postal"):
        return "textarea"
    if item.type == "date":
        return "date"
    if isinstance(f, forms.IntegerField):
        return "number"
    return "text"


def _decorate(form: forms.Form, code: str, item: Item, kind: str) -> None:
    """Accessible attributes on the widget: described by its hint and error, invalid flag."""
    bf = form[code]
    attrs = bf.field.widget.attrs
    described = []
    if item.help:
        described.append(f"{bf.auto_id}-hint")
    if form.is_bound and code in form.errors:
        described.append(f"{bf.auto_id}-error")
        if kind not in ("choice", "multi"):
            attrs["aria-invalid"] = "true"
    if described and kind not in ("choice", "multi"):
        attrs["aria-describedby"] = " ".join(described)
    if item.type in AUTOCOMPLETE:
        attrs["autocomplete"] = AUTOCOMPLETE[item.type]
    if item.type in ("email", "phone", "personal_id"):
        attrs["dir"] = "ltr"  # addresses and numbers read left to right in any language
    if kind == "number":
        attrs.setdefault("inputmode", "numeric")
        attrs["class"] = "num"
    if item.type == "date":
        attrs.setdefault("max", today().isoformat())


def _hint(item: Item) -> str:
    """The item's help, except a date's: the paper form's "(dd/mm/yy)" does not describe the
    web's date box, which comes filled in with today's date."""
    if item.type == "date":
        return translation.gettext("Today's date is filled in for you: change it only if you "
                                   "filled in this form on another day.")
    return item.help or ""


def blocks(form: forms.Form, section: Section, skip: set[str] | None = None) -> list[Block]:
    """The page's questions, grouped as the definition groups them."""
    skip = skip or set()
    out = []
    for group in section.groups:
        block = Block(group=group, layout=group.layout)
        rows: dict[str, dict[str, Any]] = {}
        for item in group.items:
            if item.code in skip or item.code not in form.fields:
                continue
            f = form.fields[item.code]
            kind = _kind(item, f)
            _decorate(form, item.code, item, kind)
            bf = form[item.code]
            q = Question(bf=bf, item=item, kind=kind, label=item.text, hint=_hint(item))
            if isinstance(f, NumberOrPreferNotField):
                q.prefer_not = True
                value = _value(form, item.code)
                q.prefer_not_checked = value == PREFER_NOT or (
                    isinstance(value, list) and PREFER_NOT in value)
            if group.layout == "peer_support_grid" and item.row:
                row = next((r for r in group.rows if r.code == item.row), None)
                col = next((c for c in group.columns if c.code == item.column), None)
                entry = rows.setdefault(item.row, {
                    "code": item.row, "label": row.text if row else item.text,
                    "hint": (row.help or "") if row else "", "cells": [],
                })
                q.kind = "number"
                q.label = col.text if col else item.text
                entry["cells"].append(q)
                block.questions.append(q)
            else:
                block.questions.append(q)
        block.rows = list(rows.values())
        if block.questions:
            out.append(block)
    return out


def conditional_css(form: forms.Form, section: Section) -> str:
    """CSS that hides a conditional question until its condition is ticked on the same page
    (``:has()``; no JavaScript). Browsers without ``:has()`` simply show every question, and
    the server drops answers to questions that do not apply either way."""
    codes = {item.code for item in section.items if item.code in form.fields}
    rules = []
    for item in section.items:
        cond = item.ask_if
        if not cond or item.code not in codes or cond.item not in codes:
            continue
        if form.is_bound and item.code in form.errors:
            continue  # a question with a message is never hidden
        if not all(re.fullmatch(r"[\w.+-]+", str(v)) for v in cond.in_):
            continue  # only plain option values go into a style sheet
        chosen = ",".join(f"input[name={cond.item}][value='{v}']:checked" for v in cond.in_)
        rules.append(f"form:not(:has({chosen})) #q-{item.code}{{display:none}}")
    for group in section.groups:  # a group asked only on one condition: its text goes too
        conds = {item.ask_if for item in group.items if item.code in codes}
        if len(conds) == 1 and None not in conds:
            cond = conds.pop()
            if cond.item in codes and all(re.fullmatch(r"[\w.+-]+", str(v)) for v in cond.in_) \
                    and not (form.is_bound and any(i.code in form.errors for i in group.items)):
                chosen = ",".join(f"input[name={cond.item}][value='{v}']:checked"
                                  for v in cond.in_)
                rules.append(f"form:not(:has({chosen})) #g-{group.code}{{display:none}}")
    return "\n".join(rules)


def skipped_by_condition(section: Section, answers: dict[str, Any]) -> set[str]:
    """Questions whose condition is on an earlier page and does not hold: not shown at all."""
    own = {item.code for item in section.items}
    return {item.code for item in section.items
            if item.ask_if and item.ask_if.item not in own and not item.ask_if.applies(answers)}


def _value(form: forms.Form, code: str) -> Any:
    if form.is_bound:
        return form.data.getlist(code) if hasattr(form.data, "getlist") else form.data.get(code)
    return form.initial.get(code)


def error_summary(form: forms.Form, page_blocks: list[Block]) -> list[dict[str, str]]:
    """[{anchor, label, message}] for the summary at the top of the page, in page order."""
    if not form.is_bound or form.is_valid():
        return []
    out = []
    for block in page_blocks:
        for q in block.questions:
            for message in form.errors.get(q.bf.name, []):
                # the question's own colon is dropped: the summary adds one
                out.append({"anchor": q.anchor, "label": str(q.label).rstrip(" :"),
                            "message": message})
    for message in form.non_field_errors():
        out.append({"anchor": "", "label": "", "message": message})
    return out


def initial_from(answers: dict[str, Any], section: Section) -> dict[str, Any]:
    """Stored answers as form initial values (radio values are compared as strings)."""
    initial = {}
    for item in section.items:
        if item.code not in answers:
            continue
        value = answers[item.code]
        if item.type == "single":
            initial[item.code] = str(value)
        elif item.type == "multi":
            initial[item.code] = [str(v) for v in value]
        else:
            initial[item.code] = value
    return initial


def section_form(inst: Instrument, section: Section, data=None, answers: dict | None = None,
                 **kwargs: Any) -> SectionForm:
    answers = answers or {}
    return SectionForm(inst, section, data=data, answers_so_far=answers,
                       initial=initial_from(answers, section), **kwargs)


def form_length(inst: Instrument, hidden: set[str] | frozenset[str] = frozenset()
                ) -> dict[str, int]:
    """How long a form is, from its definition: its pages and the questions a person may be
    asked on the web (those asked only after some answers included: "up to")."""
    return {"pages": len(inst.sections),
            "questions": sum(1 for code in inst.items if code not in hidden)}


def progress(position: int, total: int) -> dict[str, int]:
    return {"page": position, "pages": total, "percent": round(100 * position / total)}



# --- changing language on a half-filled page ------------------------------------------------

#: The id of a page's answers form: the header's language chooser belongs to it (the HTML
#: ``form`` attribute), so changing language sends what was typed, without JavaScript.
PAGE_FORM = "page-form"
SWITCH = "_change_language"


def switch_language(request: HttpRequest) -> str | None:
    """The language chosen with the chooser on a page with answers (None: not a change of
    language). It is active for this response; nothing typed is saved or checked."""
    if request.method != "POST" or SWITCH not in request.POST:
        return None
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES) or not translation.check_for_language(code):
        return translation.get_language()
    translation.activate(code)
    request.LANGUAGE_CODE = code
    return code


def keep_typed(form: forms.Form, data) -> None:
    """What was typed (``data``) as the unbound ``form``'s initial values: shown again in the
    new language, with no messages (the person has not sent the page yet)."""
    for name, f in form.fields.items():
        value = f.widget.value_from_datadict(data, {}, form.add_prefix(name))
        if value not in (None, "", []):
            form.initial[name] = value


def remember_language(response: HttpResponse, code: str | None) -> HttpResponse:
    """The cookie Django's own language view sets, so later pages stay in ``code``."""
    if code:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response
