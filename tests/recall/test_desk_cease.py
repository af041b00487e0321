"""The desk records a cease: she is left out of invitation batches from then
on, the record is audited, and only her own site's nurse may make it."""

import pytest
from django.test import Client

from common.models import AuditEvent
from scheduling.models import Appointment
from screening.recall.models import Cease
from tests.scheduling.desk_support import clinic_user
from tests.scheduling.factories import AppointmentFactory, SiteFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _booked_at(site) -> Appointment:  # type: ignore[no-untyped-def]
    return AppointmentFactory(slot=SlotFactory(site=site, booked=1))


def test_the_desk_records_a_cease_with_its_reason_and_scope_audited(client: Client):
    site = SiteFactory()
    appointment = _booked_at(site)
    nurse = clinic_user(site)
    client.force_login(nurse)

    form = client.get(f"/desk/appointments/{appointment.pk}/cease/")
    done = client.post(
        f"/desk/appointments/{appointment.pk}/cease/",
        {"reason": "hysterectomy", "scope": "cervix"},
    )

    assert form.status_code == 200
    assert appointment.participant.full_name not in form.content.decode()
    assert done.status_code == 302
    cease = Cease.objects.get(participant=appointment.participant)
    assert (cease.reason, cease.scope, cease.recorded_by_id) == (
        "hysterectomy",
        "cervix",
        nurse.pk,
    )
    assert AuditEvent.objects.filter(
        action="recall.cease.record", object_id=str(appointment.participant_id)
    ).exists()
    # A cease of one screening leaves her booking for the other.
    assert Appointment.objects.get(pk=appointment.pk).status == "booked"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"reason": "hysterectomy"},
        {"reason": "moved_away", "scope": "all"},
        {"reason": "nonsense", "scope": "all"},
        {"reason": "deceased", "scope": "elbow"},
    ],
)
def test_a_cease_without_a_known_reason_and_scope_is_a_form_error(client: Client, data):  # type: ignore[no-untyped-def]
    site = SiteFactory()
    appointment = _booked_at(site)
    client.force_login(clinic_user(site))

    answer = client.post(f"/desk/appointments/{appointment.pk}/cease/", data)

    assert answer.status_code == 400
    assert 'role="alert"' in answer.content.decode()
    assert not Cease.objects.exists()


def test_another_sites_nurse_cannot_record_her_cease(client: Client):
    appointment = _booked_at(SiteFactory())
    client.force_login(clinic_user(SiteFactory()))

    answer = client.post(
        f"/desk/appointments/{appointment.pk}/cease/",
        {"reason": "opted_out", "scope": "all"},
    )

    assert answer.status_code == 403
    assert not Cease.objects.exists()


def test_an_unknown_appointment_has_no_cease_page(client: Client):
    site = SiteFactory()
    client.force_login(clinic_user(site))

    assert client.get("/desk/appointments/999999/cease/").status_code == 404


def test_a_stranger_is_sent_to_sign_in(client: Client):
    appointment = _booked_at(SiteFactory())

    answer = client.get(f"/desk/appointments/{appointment.pk}/cease/")

    assert answer.status_code == 302
    assert not Cease.objects.exists()


def test_the_cease_page_speaks_chinese_to_a_chinese_desk(client: Client):
    site = SiteFactory()
    appointment = _booked_at(site)
    client.force_login(clinic_user(site))

    page = client.get(
        f"/desk/appointments/{appointment.pk}/cease/", HTTP_ACCEPT_LANGUAGE="zh-CN"
    ).content.decode()

    assert "不再邀请她" in page
    assert "子宫全切(宫颈)" in page
    assert "宫颈癌筛查" in page
    # Moving away comes from a call's outcome, not from the desk.
    assert 'value="moved_away"' not in page
