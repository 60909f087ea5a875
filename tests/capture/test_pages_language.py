"""Languages on the participant pages: the chooser (a plain form), <html lang dir>, the
registered language on the personal link, and the Arabic test catalogue."""


import pytest

from peerlog.capture import links

pytestmark = pytest.mark.django_db


def test_language_chooser_switches_to_right_to_left(client):
    page = client.get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert 'action="/i18n/setlang/"' in page and 'name="next" value="/"' in page
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/register/"})
    assert response.status_code == 302 and response["Location"] == "/register/"
    page = client.get("/register/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "انتقل إلى المحتوى الرئيسي" in page  # skip link, from the interface catalogue
    assert "Evaluating the Peer Support Programme" not in page  # form texts translated


def test_personal_link_uses_the_registered_language_until_one_is_chosen(client,
                                                                        participant_factory):
    p = participant_factory(language="ar")
    token = links.new_token(p, "test")
    assert 'dir="rtl"' in client.get(f"/l/{token}/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": f"/l/{token}/"})
    assert 'dir="ltr"' in client.get(f"/l/{token}/").content.decode()
