"""A translation that covers only the short forms (as the evaluation's did, doc 1011-1013):
its speakers get the short forms in their language; the full forms are not offered in it."""

from __future__ import annotations

import pytest
import yaml
from tests.instruments.short_only import SHORT_ONLY, short_only_arabic, short_only_strings

from peerlog.instruments import DefinitionError, NotTranslated, clear_cache, load_all, offered
from peerlog.instruments.loader import TRANSLATIONS_DIR, TRANSLATIONS_ENV, load_instrument


@pytest.fixture
def short_only(tmp_path, monkeypatch):
    with short_only_arabic(tmp_path, monkeypatch) as directory:
        yield directory


def test_short_forms_load_in_the_language_and_full_forms_are_not_offered(short_only):
    short = load_instrument("monthly_short", "ar")
    assert short.language == "ar" and short.items["eq5d_mobility"].text == "الحركة"
    assert load_instrument("registration", "ar").items["gender"].text == "الجنس؟"
    assert load_instrument("quarterly_short", "ar").language == "ar"
    assert not offered("monthly", "ar") and not offered("quarterly", "ar")
    assert offered("monthly_short", "ar") and offered("monthly", "en")
    with pytest.raises(NotTranslated):
        load_instrument("monthly", "ar")
    assert set(load_all("ar")) == set(SHORT_ONLY)


def test_a_full_form_with_texts_missing_here_and_there_still_fails(tmp_path, monkeypatch):
    shipped = yaml.safe_load((TRANSLATIONS_DIR / "ar.yaml").read_text("utf-8"))
    del shipped["strings"]["item.hhi_3.text"]  # one text of a section that is otherwise there
    (tmp_path / "ar.yaml").write_text(yaml.safe_dump(shipped, allow_unicode=True), "utf-8")
    monkeypatch.setenv(TRANSLATIONS_ENV, str(tmp_path))
    clear_cache()
    try:
        with pytest.raises(DefinitionError) as caught:
            load_instrument("monthly", "ar")
        assert not isinstance(caught.value, NotTranslated)
        assert offered("monthly_short", "ar")
        with pytest.raises(DefinitionError):
            offered("monthly", "ar")
    finally:
        monkeypatch.delenv(TRANSLATIONS_ENV)
        clear_cache()


def test_a_short_form_with_a_text_missing_still_fails(tmp_path, monkeypatch):
    data = short_only_strings()
    del data["strings"]["item.eq5d_mobility.text"]
    with short_only_arabic(tmp_path, monkeypatch, data), \
            pytest.raises(DefinitionError, match="eq5d_mobility"):
        load_instrument("monthly_short", "ar")


@pytest.mark.django_db
def test_its_speakers_are_given_the_short_forms_in_their_language(short_only, client,
                                                                  participant_factory):
    from peerlog.capture import links, schedule

    arabic = participant_factory(language="ar", short_version=False)
    english = participant_factory(language="en", short_version=False)
    assert schedule.due_instrument(arabic) == "quarterly_short"
    assert schedule.due_instrument(english) == "quarterly"
    token = links.new_token(arabic, "registration")
    page = client.get(f"/l/{token}/").content.decode()
    assert load_instrument("quarterly_short", "ar").title in page
    # A full form started earlier (or its page shown in Arabic) comes in English, not a crash.
    from peerlog.capture.views import pages

    assert pages.instrument("monthly", "ar").language == "en"
    assert pages.instrument("monthly_short", "ar").language == "ar"
