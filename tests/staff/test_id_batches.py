"""Issue 13, item 7: the personal-ID batch page (preselected project, IDs issued and
registered, running-out warning) and slips with the registration address and support."""

from __future__ import annotations

import pytest
from tests.staff.test_pdfs import pdf_text

from peerlog.capture import personal_ids
from peerlog.capture.models import PersonalIdBatch
from peerlog.staff.views.ids import RUNNING_OUT, issue_batch


def test_one_project_is_preselected(client, world):
    client.force_login(world.staff["coordinator"])
    page = client.get("/staff/ids/").content.decode()
    assert f'<option value="{world.a.pk}" selected>' in page


def test_stock_and_running_out_warning(client, world):
    user = world.staff["coordinator"]
    client.force_login(user)
    # Project A: one batch of one ID (pa's), registered; nothing left.
    page = client.get("/staff/ids/").content.decode()
    assert "is running out of personal IDs: 0 left" in page
    issue_batch(world.a, RUNNING_OUT, user)
    page = client.get("/staff/ids/").content.decode()
    assert "is running out of personal IDs" not in page and "(running out)" not in page
    assert f'<td class="num">{RUNNING_OUT}</td></tr>' in page
    assert "Beta" not in page  # another coordinator's project


def test_batch_page_lists_ids_and_who_registered(client, world):
    client.force_login(world.staff["coordinator"])
    batch = issue_batch(world.a, 3, world.staff["coordinator"])
    page = client.get(f"/staff/ids/{batch.pk}/").content.decode()
    for code in batch.ids.values_list("code", flat=True):
        assert f"<td>{personal_ids.display(code)}</td><td>Not yet</td>" in page
    registered = world.pa.personal_id
    page = client.get(f"/staff/ids/{registered.batch_id}/").content.decode()
    assert f"<td>{personal_ids.display(registered.code)}</td><td>Yes</td>" in page


@pytest.mark.parametrize("role", ["other_coordinator", "other_regional_researcher"])
def test_another_projects_batch_is_not_found(client, world, role):
    batch = issue_batch(world.a, 2, world.staff["coordinator"])
    client.force_login(world.staff[role])
    assert client.get(f"/staff/ids/{batch.pk}/").status_code == 404
    assert client.get(f"/staff/ids/{batch.pk}/slips.pdf").status_code == 404


def test_issuing_for_another_project_stores_nothing(client, world):
    client.force_login(world.staff["other_coordinator"])
    before = PersonalIdBatch.objects.count()
    response = client.post("/staff/ids/", {"project": world.a.pk, "count": 5})
    assert response.status_code == 400
    assert PersonalIdBatch.objects.count() == before


def test_slips_give_the_registration_address_and_support_not_online_id(client, world,
                                                                       tmp_path, settings):
    client.force_login(world.staff["coordinator"])
    batch = issue_batch(world.a, 2, world.staff["coordinator"])
    text = pdf_text(client.get(f"/staff/ids/{batch.pk}/slips.pdf").content, tmp_path)
    squashed = " ".join(text.split())
    assert settings.PEERLOG["SITE_URL"] + "/register/" in squashed.replace(" ", "")
    assert settings.PEERLOG["SUPPORT_PHONE"] in squashed
    assert "every paper log" in squashed and "when you log online" not in squashed
    assert personal_ids.display(batch.ids.first().code) in squashed
