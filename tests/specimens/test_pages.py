import pytest
from django.urls import reverse

from common.models import AuditEvent
from specimens.models import Specimen
from tests.screening.result_factories import VisitFactory, staff_user
from tests.specimens.factories import collected

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(
        "notifications.services.handover.enqueue_send", lambda _pk: None
    )


@pytest.fixture
def scope(monkeypatch):
    """Her sites, as the roster would say."""
    sites: dict = {"ids": [1]}
    monkeypatch.setattr("specimens.views.allowed_site_ids", lambda user: sites["ids"])
    return sites


def _nurse(client):  # type: ignore[no-untyped-def]
    nurse = staff_user("nurse")
    client.force_login(nurse)
    return nurse


def test_a_nurse_takes_her_samples_from_the_page_and_sees_the_tubes(client, scope):
    _nurse(client)
    visit = VisitFactory(site_id=1)
    url = reverse("specimens-visit", args=[visit.appointment_id])
    response = client.post(url, {"collect": "1"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    for specimen in Specimen.objects.filter(visit=visit):
        assert specimen.barcode in page
    assert AuditEvent.objects.filter(action="specimens.viewed").exists()


def test_the_labels_page_shows_each_tube_with_her_masked_name(client, scope):
    _nurse(client)
    visit = VisitFactory(site_id=1, participant__full_name="王小梅")
    tubes = collected(visit)
    response = client.get(reverse("specimens-labels", args=[visit.appointment_id]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="label"') == 2
    assert "王**" in page
    assert "王小梅" not in page
    assert all(t.barcode in page for t in tubes)
    assert "data:image/svg+xml;base64," in page
    assert visit.reference in page


def test_a_rejected_tube_has_no_label(client, scope):
    _nurse(client)
    visit = VisitFactory(site_id=1)
    hpv, cytology = collected(visit)
    url = reverse("specimens-visit", args=[visit.appointment_id])
    client.post(url, {"reject": str(hpv.pk), "reason": "leaked"})
    page = client.get(reverse("specimens-labels", args=[visit.appointment_id]))
    assert hpv.barcode not in page.content.decode()
    assert cytology.barcode in page.content.decode()


def test_a_bad_reason_or_tube_id_is_a_400_or_404_with_its_code(client, scope):
    _nurse(client)
    visit = VisitFactory(site_id=1)
    hpv = collected(visit)[0]
    url = reverse("specimens-visit", args=[visit.appointment_id])
    bad = client.post(url, {"reject": str(hpv.pk), "reason": "dropped"})
    assert bad.status_code == 400
    assert 'data-code="reason_invalid"' in bad.content.decode()
    missing = client.post(url, {"reject": "9" * 30, "reason": "leaked"})
    assert missing.status_code == 404


def test_an_unknown_label_layout_is_a_400(client, scope):
    _nurse(client)
    visit = VisitFactory(site_id=1)
    url = reverse("specimens-labels", args=[visit.appointment_id])
    assert client.get(url, {"layout": "poster"}).status_code == 400
    assert client.get(url, {"layout": "a4"}).status_code == 200


def test_another_sites_visit_is_forbidden_and_an_unknown_one_not_found(client, scope):
    _nurse(client)
    visit = VisitFactory(site_id=1)
    scope["ids"] = [2]
    url = reverse("specimens-labels", args=[visit.appointment_id])
    assert client.get(url).status_code == 403
    assert (
        client.post(
            reverse("specimens-visit", args=[visit.appointment_id]), {"collect": "1"}
        ).status_code
        == 403
    )
    assert not Specimen.objects.exists()
    assert client.get(reverse("specimens-labels", args=[999999])).status_code == 404


def test_union_staff_and_signed_out_visitors_never_see_her_tubes(client):
    visit = VisitFactory(site_id=1)
    url = reverse("specimens-labels", args=[visit.appointment_id])
    assert client.get(url).status_code == 302
    client.force_login(staff_user("union", role="union"))
    assert client.get(url).status_code == 403
