"""Django forms built from the instrument definitions, one form per section (web page).

The definitions say what is asked; this module says how a browser or a staff member at a
keyboard answers it. Online, a peer support count is a number (0 allowed, no ticks); on a
paper entry screen a ticked box is entered as a tick and stored as ``"ticked"``. Cleaned
values are the stored values of the definition (ints for scale levels, option strings for
categories), so what a form returns can be stored and scored as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from peerlog.capture import personal_ids
from peerlog.instruments import PREFER_NOT, TICKED
from peerlog.instruments.model import Instrument, Item, Section

ONLINE, PAPER = "online", "paper"
TEXT_MAX = 2000
# What staff may type for a ticked box on the paper entry screen.
TICK_INPUTS = {"t", "tick", "ticked", "✓", "✔", "x", "y", "yes"}
E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")


def normalise_phone(typed: str, default_country_code: str = "44") -> str:
    """A phone number as E.164: ``07700 900123`` -> ``+447700900123``.

    National numbers (leading 0) take the programme's country code; ``00`` becomes ``+``.
    Raises ValidationError for anything that is not a plausible E.164 number.
    """
    digits = personal_ids.ascii_digits(re.sub(r"[\s\-().]", "", typed))
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = f"+{default_country_code}{digits[1:]}"
    if not E164.match(digits):
        raise ValidationError(
            _("Enter a phone number with its area or mobile code, such as 07700 900123."),
            code="phone",
        )
    return digits


class PhoneField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"})

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return normalise_phone(value) if value else ""


class PersonalIdField(forms.CharField):
    """A personal ID, checked with its check digit so a typo is caught at once."""

    widget = forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
    )

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value:
            return ""
        pid = personal_ids.normalise(value)
        if not personal_ids.is_valid(pid):
            raise ValidationError(
                _("This personal ID does not look right. Please check each number on your "
                  "slip, or ask your project coordinator."),
                code="personal_id",
            )
        return pid


class CountOrTickField(forms.CharField):
    """Paper entry: a count as written, or a tick where the box was ticked (kept as a tick)."""

    def __init__(self, *, max_value: int, **kwargs: Any) -> None:
        self.max_value = max_value
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | str | None:
        value = super().clean(value).strip().lower()
        if not value:
            return None
        if value in TICK_INPUTS:
            return TICKED
        value = personal_ids.ascii_digits(value)
        if not (value.isascii() and value.isdigit()):
            raise ValidationError(
                _("Enter the number written on the form, or t if the box was ticked."),
                code="count",
            )
        number = int(value)
        if number > self.max_value:
            raise ValidationError(
                _("Ensure this value is less than or equal to %(max)s."),
                code="max_value", params={"max": self.max_value},
            )
        return number


class NumberOrPreferNotWidget(forms.NumberInput):
    """A number box plus a "Prefer not to answer" checkbox posted under the same name.

    The page shows ``<input type=number name=x>`` and ``<input type=checkbox name=x
    value=prefer_not_to_answer>``; a ticked checkbox wins over any number typed.
    """

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        if PREFER_NOT in values:
            return PREFER_NOT
        given = [v for v in values if v not in (None, "")]
        return given[0] if given else None

    def format_value(self, value):
        return None if value == PREFER_NOT else super().format_value(value)


class NumberOrPreferNotField(forms.IntegerField):
    """Online: a whole number, or "Prefer not to answer" (stored as ``PREFER_NOT``)."""

    widget = NumberOrPreferNotWidget
    prefer_not = True

    def to_python(self, value):
        if value == PREFER_NOT:
            return PREFER_NOT
        return super().to_python(value)

    def validate(self, value):
        if value != PREFER_NOT:
            super().validate(value)

    def run_validators(self, value):
        if value != PREFER_NOT:
            super().run_validators(value)


def _choices(item: Item) -> list[tuple[str, str]]:
    choices = [(str(o.value), o.text) for o in item.options]
    if item.prefer_not:
        choices.append((PREFER_NOT, str(_("Prefer not to answer"))))
    return choices


def _coerce(item: Item):
    by_text = {str(o.value): o.value for o in item.options}
    by_text[PREFER_NOT] = PREFER_NOT
    return lambda text: by_text[text]


def field_for(item: Item, mode: str = ONLINE) -> forms.Field:
    """The form field asking ``item``; required unless the definition says optional."""
    common: dict[str, Any] = {
        "label": item.text,
        "help_text": item.help or "",
        "required": not item.optional,
    }
    if item.type == "single":
        return forms.TypedChoiceField(
            choices=_choices(item), coerce=_coerce(item), empty_value=None,
            widget=forms.RadioSelect, **common,
        )
    if item.type == "multi":
        return forms.TypedMultipleChoiceField(
            choices=_choices(item), coerce=_coerce(item), widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if item.type == "count" and mode == PAPER:
        return CountOrTickField(
            max_value=item.max if item.max is not None else 999, max_length=6,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}), **common,
        )
    if item.type in ("integer", "count") and item.prefer_not and mode == ONLINE:
        return NumberOrPreferNotField(
            min_value=item.min, max_value=item.max,
            widget=NumberOrPreferNotWidget(attrs={"inputmode": "numeric"}), **common,
        )
    if item.type in ("integer", "count"):
        return forms.IntegerField(
            min_value=item.min, max_value=item.max,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}), **common,
        )
    if item.type == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if item.type == "email":
        return forms.EmailField(
            max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}), **common
        )
    if item.type == "phone":
        return PhoneField(max_length=32, **common)
    if item.type == "personal_id":
        return PersonalIdField(max_length=20, **common)
    if item.type == "postal":
        return forms.CharField(
            max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}), **common
        )
    if item.type == "text":
        return forms.CharField(max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                               **common)
    raise ValueError(f"No form field for item type {item.type!r} ({item.code})")


class SectionForm(forms.Form):
    """One page of an instrument. Field names are the item codes."""

    def __init__(
        self,
        instrument: Instrument,
        section: Section,
        *args: Any,
        mode: str = ONLINE,
        answers_so_far: Mapping[str, object] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.section = section
        self.answers_so_far = dict(answers_so_far or {})
        for item in section.items:
            self.fields[item.code] = field_for(item, mode)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # A conditional question answered when its condition does not hold is dropped, so no
        # stored log contains an answer to a question that was not asked.
        answers = {**self.answers_so_far, **cleaned}
        for item in self.section.items:
            if item.ask_if and not item.ask_if.applies(answers):
                cleaned.pop(item.code, None)
        return cleaned

    def answers(self) -> dict[str, Any]:
        """The cleaned answers as stored: unanswered questions are left out."""
        return {
            code: value.isoformat() if hasattr(value, "isoformat") else value
            for code, value in self.cleaned_data.items()
            if value not in (None, "", [])
        }
