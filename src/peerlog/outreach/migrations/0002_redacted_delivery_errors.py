"""Delivery errors are kept redacted only (issue 9, item 2).

The encrypted ``last_error`` held servers' own words, which quote addresses and numbers;
it is replaced by a kind, a class and a numeric code. Existing errors cannot be redacted
after the fact, so they become "legacy", and error texts in each message's history go too.
"""

from django.db import migrations, models


def scrub(apps, schema_editor):
    Message = apps.get_model("outreach", "Message")
    for message in Message.objects.only("id", "history").iterator():
        history, changed = [], False
        for entry in message.history or []:
            if isinstance(entry, dict) and "error" in entry:
                entry = {**entry, "error": {"kind": "legacy", "class": "", "code": ""}}
                changed = True
            history.append(entry)
        if changed:
            Message.objects.filter(pk=message.pk).update(history=history)
    Message.objects.exclude(last_error="").update(error_kind="legacy")


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_initial")]

    operations = [
        migrations.AddField("message", "error_kind",
                            models.CharField(blank=True, max_length=40)),
        migrations.AddField("message", "error_class",
                            models.CharField(blank=True, max_length=20)),
        migrations.AddField("message", "error_code",
                            models.CharField(blank=True, max_length=20)),
        migrations.RunPython(scrub, migrations.RunPython.noop),
        migrations.RemoveField("message", "last_error"),
    ]
