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
