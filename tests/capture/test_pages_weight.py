"""Every participant page weighs under 100 KB over the wire, stylesheet included (there are
no scripts and no web fonts), measured uncompressed with the Django test client."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from peerlog.capture import links
from peerlog.capture.models import Draft
from peerlog.capture.views.registration import STEP_NAMES
from peerlog.instruments import load_instrument

LIMIT = 100 * 1024


def weight(client, response) -> int:
    page = response.content.decode()
    assert "<script" not in page and "@font-face" not in page and "woff" not in page
    total = len(response.content)
    for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', page):
        path = finders.find(href.removeprefix("/static/"))
        total += Path(path).stat().st_size
    return total


@pytest.mark.django_db
def test_every_participant_page_is_under_100_kb(client, participant_factory, issued_id,
                                                project_factory, registration_posts):

    weights = {}
    project = project_factory()
    pid = issued_id(project)
    weights["home"] = weight(client, client.get("/"))
    weights["register"] = weight(client, client.get("/register/"))
    for step, data in registration_posts(pid, project):
        weights[f"register/{step}"] = weight(client, client.get(f"/register/{step}/"))
        response = client.post(f"/register/{step}/", data)
    weights["register/done"] = weight(client, response)
    for language in ("en", "ar"):
        client.cookies["django_language"] = language
        for code in ("quarterly", "monthly"):
            p = participant_factory()
            token = links.new_token(p, "test")
            inst = load_instrument(code)
            Draft.objects.create(participant=p, instrument=code, submission_key=token[:20],
                                 done_sections=[s.code for s in inst.sections])
            weights[f"{language}/link"] = weight(client, client.get(f"/l/{token}/"))
            for s in inst.sections:
                response = client.get(f"/l/{token}/log/{s.code}/")
                assert response.status_code == 200
                weights[f"{language}/{code}/{s.code}"] = weight(client, response)
            weights[f"{language}/progress"] = weight(client, client.get(f"/l/{token}/progress/"))
    assert len(weights) > len(STEP_NAMES) + 20
    heavy = {page: w for page, w in weights.items() if w >= LIMIT}
    assert heavy == {}, heavy
    print("heaviest:", max(weights.items(), key=lambda kv: kv[1]))
