import pytest

from common.models import AuditEvent
from notifications.models import Notification
from specimens.errors import OtherSite, ReasonInvalid, StatusChanged
from specimens.models import Recollection, SpecimenStatus
from specimens.services import specimen_create, specimen_reject, specimen_step
from tests.screening.result_factories import staff_user
from tests.specimens.factories import collected

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(
        "notifications.services.handover.enqueue_send", lambda _pk: None
    )


def test_a_tube_moves_collected_dispatched_received_resulted():
    hpv = collected()[0]
    for to in ("dispatched", "received", "resulted"):
        hpv = specimen_step(specimen_id=hpv.pk, to=to, by=None, site_ids=None)
        assert hpv.status == to
    assert hpv.dispatched_at
    assert hpv.received_at
    assert hpv.resulted_at


def test_a_step_from_the_wrong_status_is_a_conflict():
    hpv = collected()[0]
    specimen_step(specimen_id=hpv.pk, to="dispatched", by=None, site_ids=None)
    with pytest.raises(StatusChanged) as error:
        specimen_step(specimen_id=hpv.pk, to="dispatched", by=None, site_ids=None)
    assert error.value.status == 409
    with pytest.raises(StatusChanged):
        specimen_step(specimen_id=hpv.pk, to="collected", by=None, site_ids=None)


def test_rejecting_a_tube_opens_a_recollection_and_asks_her_back_once():
    nurse = staff_user("nurse")
    hpv = collected()[0]
    rejected = specimen_reject(
        specimen_id=hpv.pk, reason="leaked", by=nurse, site_ids=None
    )
    assert rejected.status == SpecimenStatus.REJECTED
    assert rejected.rejection_reason == "leaked"
    task = Recollection.objects.get(specimen=hpv)
    assert task.closed_at is None
    message = Notification.objects.get(kind="recollection")
    assert message.dedupe_key == f"recollection:{hpv.pk}"
    # Neutral: the text carries where to call, never what went wrong.
    assert set(message.context) == {"site", "tel"}
    assert AuditEvent.objects.filter(action="specimen.rejected", actor=nurse).exists()
    with pytest.raises(StatusChanged):
        specimen_reject(specimen_id=hpv.pk, reason="leaked", by=nurse, site_ids=None)
    assert Notification.objects.filter(kind="recollection").count() == 1


def test_a_new_tube_after_a_rejection_closes_the_recollection():
    hpv = collected()[0]
    specimen_reject(specimen_id=hpv.pk, reason="unlabelled", by=None, site_ids=None)
    again = specimen_create(visit_id=hpv.visit_id, kind="hpv", by=None, site_ids=None)
    assert again.barcode != hpv.barcode
    task = Recollection.objects.get(specimen=hpv)
    assert task.closed_at is not None
    assert task.new_specimen == again


def test_a_resulted_tube_cannot_be_rejected():
    hpv = collected()[0]
    specimen_step(specimen_id=hpv.pk, to="resulted", by=None, site_ids=None)
    with pytest.raises(StatusChanged):
        specimen_reject(specimen_id=hpv.pk, reason="leaked", by=None, site_ids=None)
    assert not Notification.objects.filter(kind="recollection").exists()


def test_an_unknown_reason_is_refused_before_anything_changes():
    hpv = collected()[0]
    with pytest.raises(ReasonInvalid) as error:
        specimen_reject(specimen_id=hpv.pk, reason="dropped", by=None, site_ids=None)
    assert error.value.status == 400
    hpv.refresh_from_db()
    assert hpv.status == SpecimenStatus.COLLECTED


def test_another_sites_tube_cannot_be_rejected():
    hpv = collected()[0]
    with pytest.raises(OtherSite):
        specimen_reject(specimen_id=hpv.pk, reason="leaked", by=None, site_ids=[999])
    assert not Recollection.objects.exists()
