"""Reminders speak the participant's language (the Arabic catalogue is a test locale)."""

from peerlog.outreach.texts import reminder

LINK = "https://peerlog.example.org/l/abc123/"


def test_email_reminder_in_arabic_carries_the_link_and_support():
    subject, body = reminder(language="ar", channel="email", link=LINK, kind="quarterly")
    assert subject == "سجل دعم الأقران: حان وقت السجل الفصلي"
    assert body.startswith("مرحباً،") and LINK in body
    assert "Hello" not in body


def test_sms_reminder_in_english_and_arabic():
    _, english = reminder(language="en", channel="sms", link=LINK, kind="monthly")
    _, arabic = reminder(language="ar", channel="sms", link=LINK, kind="monthly")
    assert english.startswith("PeerLog: your monthly log is ready: " + LINK)
    assert "السجل الشهري" in arabic and LINK in arabic and "STOP" in arabic


def test_messages_name_the_support_contact_set_in_the_console(db, settings):
    """Reminders and link messages name the programme's support contact once a central
    researcher has set one; until then the deployment's PEERLOG_SUPPORT_CONTACT phrase."""
    from peerlog.capture import programme
    from peerlog.capture.models import ProgrammeSettings
    from peerlog.outreach.texts import new_link

    settings.PEERLOG = {**settings.PEERLOG, "SUPPORT_CONTACT": "the deployment's team"}
    programme.forget()
    try:
        _, body = reminder(language="en", channel="email", link=LINK, kind="monthly")
        assert "contact the deployment's team." in body
        ProgrammeSettings.objects.create(pk=1, support_name="Sam Evans",
                                         support_phone="0113 496 0001",
                                         support_email="sam@example.org")
        programme.forget()
        _, body = reminder(language="en", channel="email", link=LINK, kind="monthly")
        _, sms = new_link(language="en", channel="sms", link=LINK, personal_id="123456")
        assert "contact Sam Evans, 0113 496 0001, sam@example.org." in body
        assert "Help: Sam Evans, 0113 496 0001, sam@example.org." in sms
    finally:
        programme.forget()
