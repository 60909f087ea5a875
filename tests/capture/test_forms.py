"""Forms built from the definitions: every definition renders in every shipped language,
and bad input is caught at the field with the rest of the answers kept."""

import pytest
from django.utils import translation
from django.utils.html import escape

from peerlog.capture.forms import PAPER, SectionForm, normalise_phone
from peerlog.instruments import TICKED, languages, load_all, load_instrument


def section(instrument, code):
    return next(s for s in instrument.sections if s.code == code)


def section_with(instrument, item_code):
    return next(s for s in instrument.sections if item_code in {i.code for i in s.items})


@pytest.mark.parametrize("language", [lang.code for lang in languages()])
@pytest.mark.parametrize("code", sorted(load_all()))
def test_every_definition_renders_in_every_shipped_language(code, language):
    instrument = load_instrument(code).translated(language).rendered()
    english = load_instrument(code).rendered()
    rendered_items = 0
    with translation.override(language):
        for sec in instrument.sections:
            page = SectionForm(instrument, sec).as_div()
            for item in sec.items:
                assert f'name="{item.code}"' in page, (code, item.code)
                assert escape(item.text) in page, (code, item.code)
                for option in item.options:
                    assert escape(option.text) in page, (code, item.code, option.value)
                rendered_items += 1
    assert rendered_items == len(instrument.items) > 0
    if language != "en":
        # a translation really replaces the wording (not an English fallback)
        changed = [c for c, i in instrument.items.items() if i.text != english.items[c].text]
        assert len(changed) > len(instrument.items) // 2


def test_online_counts_are_numbers_and_paper_keeps_ticks():
    monthly = load_instrument("monthly")
    sec = section_with(monthly, "ps_informal_given")
    online = SectionForm(monthly, sec, data={"ps_informal_given": "t", "ps_groups_given": "2"})
    assert not online.is_valid()
    assert "ps_informal_given" in online.errors and "ps_groups_given" not in online.errors
    paper = SectionForm(monthly, sec, mode=PAPER,
                        data={"ps_informal_given": "t", "ps_groups_given": "2"})
    assert paper.is_valid(), paper.errors
    assert paper.answers()["ps_informal_given"] == TICKED
    assert paper.answers()["ps_groups_given"] == 2


def test_bad_input_is_reported_at_the_field_and_the_rest_is_kept():
    monthly = load_instrument("monthly")
    sec = section_with(monthly, "swemwbs_1")
    data = {"swemwbs_1": "9", "swemwbs_2": "4", "swemwbs_3": "2"}
    form = SectionForm(monthly, sec, data=data)
    assert not form.is_valid()
    assert list(form.errors) == ["swemwbs_1"]
    rendered = form.as_div()
    # the other answers are still selected when the page comes back
    assert 'value="4"' in rendered and "checked" in rendered
    assert form["swemwbs_2"].value() == "4"


def test_scale_answers_are_stored_as_the_definition_values():
    monthly = load_instrument("monthly")
    sec = section_with(monthly, "swemwbs_1")
    form = SectionForm(monthly, sec, data={f"swemwbs_{i}": str(i % 5 + 1) for i in range(1, 8)})
    assert form.is_valid(), form.errors
    assert form.answers()["swemwbs_1"] == 2 and isinstance(form.answers()["swemwbs_1"], int)


def test_personal_id_typos_are_caught():
    from peerlog.capture import personal_ids

    monthly = load_instrument("monthly")
    sec = section_with(monthly, "personal_id")
    good = "12345" + personal_ids.check_digit("12345")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    ok = SectionForm(monthly, sec, data={"personal_id": good[:3] + " " + good[3:],
                                         "date_completed": "2016-03-01"})
    assert ok.is_valid(), ok.errors
    assert ok.answers()["personal_id"] == good
    typo = SectionForm(monthly, sec, data={"personal_id": bad, "date_completed": "2016-03-01"})
    assert not typo.is_valid() and "personal_id" in typo.errors


def test_conditional_question_is_dropped_when_its_condition_fails():
    registration = load_instrument("registration")
    sec = section_with(registration, "mh_services_years")
    data = {"uses_mh_services": "no", "mh_services_years": "4"}
    form = SectionForm(registration, sec, data=data)
    form.is_valid()
    assert "mh_services_years" not in form.answers()
    data["uses_mh_services"] = "yes"
    form = SectionForm(registration, sec, data=data)
    form.is_valid()
    assert form.answers()["mh_services_years"] == 4


@pytest.mark.parametrize(("typed", "stored"), [
    ("07700 900123", "+447700900123"), ("+44 7700 900123", "+447700900123"),
    ("0044 (7700) 900-123", "+447700900123"), ("+1 415 555 0100", "+14155550100"),
])
def test_phone_numbers_become_e164(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12", "call me", "+0 123 456 789", "07700 9001234567890"])
def test_implausible_phone_numbers_are_refused(typed):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        normalise_phone(typed)


def test_programme_settings_fill_the_placeholders_of_every_page(settings):
    from peerlog.capture.views.pages import instrument

    help_text = instrument("registration", "en").items["personal_id"].help
    assert "Your Personal ID is 6 numbers." in " ".join(help_text.split())
    settings.PEERLOG = {**settings.PEERLOG, "PERSONAL_ID_DIGITS": 7,
                        "ONLINE_NETWORK_NAME": "Side by Side Online"}
    monthly = instrument("monthly", "ar")
    assert "8" in monthly.items["personal_id"].text and "{" not in monthly.items["personal_id"].text
    assert "Side by Side Online" in instrument("monthly", "en").items["ps_elefriends_given"].text


def test_participants_are_sent_to_the_programme_support_contact_not_the_evaluation(settings):
    from peerlog.capture.views.pages import instrument

    sections = instrument("registration", "en").sections
    text = " ".join(f"{s.intro or ''} {s.outro or ''}" for s in sections)
    assert "peerlog-support@example.org" in text and "sgul" not in text.lower()
    settings.PEERLOG = {**settings.PEERLOG, "SUPPORT_EMAIL": "help@programme.example"}
    help_text = instrument("monthly", "en").items["personal_id"].help
    assert "help@programme.example" in help_text and "0113 496 0000" in help_text
