"""GET /api/v1/clinic/appointments/{id}/labels.svg: one printable label per
live tube, each carrying its barcode; nothing of another site's."""

import xml.etree.ElementTree as ET

import pytest

from common.models import AuditEvent
from specimens.label_svg import SVG_NS
from specimens.services import specimen_reject
from tests.scheduling.desk_support import clinic_user, token_client
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import ParticipantFactory
from tests.screening.result_factories import VisitFactory
from tests.specimens.factories import collected

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(
        "notifications.services.handover.enqueue_send", lambda _pk: None
    )


@pytest.fixture
def site():
    return SiteFactory()


@pytest.fixture
def visit(site):
    woman = ParticipantFactory(full_name="李桂芳")
    return VisitFactory(site_id=site.pk, site_name=site.name, participant=woman)


def _url(appointment_id: int) -> str:
    return f"/api/v1/clinic/appointments/{appointment_id}/labels.svg"


def _labels(content: bytes) -> list[ET.Element]:
    root = ET.fromstring(content)  # noqa: S314 (our own output)
    return [el for el in root if el.get("class") == "label"]


def test_the_labels_are_an_svg_with_one_label_per_live_tube(site, visit):
    nurse = clinic_user(site)
    hpv, cytology = collected(visit)
    specimen_reject(specimen_id=cytology.pk, reason="leaked", by=None, site_ids=None)

    response = token_client(nurse).get(_url(visit.appointment_id))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    labels = _labels(response.content)
    assert [label.get("data-barcode") for label in labels] == [hpv.barcode]
    texts = [t.text for t in labels[0].iter(f"{{{SVG_NS}}}text")]
    assert hpv.barcode in texts
    assert any("李**" in text and visit.reference in text for text in texts)
    assert "李桂芳" not in response.content.decode()
    # python-barcode's bars are inside each label.
    assert len(list(labels[0].iter(f"{{{SVG_NS}}}rect"))) > 20
    assert AuditEvent.objects.filter(action="specimens.viewed", actor=nurse).exists()


def test_a_client_asking_for_svg_alone_gets_it(site, visit):
    collected(visit)

    response = token_client(clinic_user(site)).get(
        _url(visit.appointment_id), HTTP_ACCEPT="image/svg+xml"
    )

    assert response.status_code == 200
    assert len(_labels(response.content)) == 2


def test_an_appointment_without_a_visit_is_a_404(site):
    response = token_client(clinic_user(site)).get(_url(999_999))

    assert response.status_code == 404
    assert response.json()["code"] == "visit_not_found"


def test_another_sites_labels_are_a_403_and_show_nothing(visit):
    tubes = collected(visit)

    response = token_client(clinic_user(SiteFactory())).get(
        _url(visit.appointment_id), HTTP_ACCEPT="image/svg+xml"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "other_site"
    assert tubes[0].barcode not in response.content.decode()
