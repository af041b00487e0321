"""Deferral and cease: the records, and eligibility, booking and the waitlist
reading them; her own deferral on the phone without JavaScript."""

from datetime import date

import pytest
from django.test import Client

from common.models import AuditEvent
from scheduling.services import appointment_book
from scheduling.waitlist.services import waitlist_join
from screening.errors import NotEligible
from screening.recall.errors import DeferralNotAllowed
from screening.recall.models import Deferral
from screening.recall.services import cease_record, deferral_record, deferral_withdraw
from tests.pages.flow import registered_woman, sign_in
from tests.scheduling.factories import ConsentedParticipantFactory, SlotFactory
from tests.screening.result_factories import staff_user
from tests.waitlist.support import full_slot

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.mark.parametrize("months", [6, 12, 18])
def test_a_deferral_is_in_six_month_steps(months):
    woman = ConsentedParticipantFactory()
    deferral = deferral_record(
        participant=woman, reason="menses", months=months, today=date(2026, 1, 31)
    )
    assert (
        deferral.ends_on
        == {
            6: date(2026, 7, 31),
            12: date(2027, 1, 31),
            18: date(2027, 7, 31),
        }[months]
    )


@pytest.mark.parametrize("months", [0, 3, 24])
def test_a_deferral_longer_than_eighteen_months_or_off_step_is_refused(months):
    with pytest.raises(DeferralNotAllowed):
        deferral_record(
            participant=ConsentedParticipantFactory(), reason="menses", months=months
        )


def test_a_new_deferral_replaces_her_live_one():
    woman = ConsentedParticipantFactory()
    deferral_record(participant=woman, reason="menses", months=6)
    deferral_record(participant=woman, reason="pregnancy", months=12)
    live = Deferral.objects.filter(participant=woman, withdrawn_at__isnull=True)
    assert [d.reason for d in live] == ["pregnancy"]


def test_a_deferred_woman_cannot_book_until_she_ends_it():
    woman, slot = ConsentedParticipantFactory(), SlotFactory()
    deferral_record(participant=woman, reason="pregnancy", months=12)

    with pytest.raises(NotEligible) as refused:
        appointment_book(participant=woman, slot_id=slot.pk)
    deferral_withdraw(participant=woman)

    assert [r.code for r in refused.value.reasons] == ["deferred"]
    assert appointment_book(participant=woman, slot_id=slot.pk).slot_id == slot.pk


def test_a_woman_ceased_from_all_screening_cannot_book_or_wait():
    woman = ConsentedParticipantFactory()
    slot, _ = full_slot(capacity=1)
    cease_record(participant=woman, reason="opted_out", scope="all", by=staff_user())

    with pytest.raises(NotEligible):
        appointment_book(participant=woman, slot_id=SlotFactory().pk)
    with pytest.raises(NotEligible):
        waitlist_join(
            participant=woman,
            campaign_id=slot.campaign_id,
            site_id=slot.site_id,
            day=None,
        )


def test_the_desk_deferring_her_is_audited_her_own_is_not():
    woman = ConsentedParticipantFactory()
    nurse = staff_user()
    deferral_record(participant=woman, reason="menses", months=6)
    deferral_record(participant=woman, reason="menses", months=6, by=nurse)
    events = AuditEvent.objects.filter(action="recall.deferral.record")
    assert [e.actor_id for e in events] == [nurse.pk]


def test_she_defers_herself_on_her_phone_and_ends_it(client: Client):
    woman = registered_woman(PHONE)
    sign_in(client, PHONE)

    form = client.get("/my/deferral/")
    deferred = client.post("/my/deferral/", {"reason": "lactation", "months": "12"})
    page = client.get("/my/deferral/").content.decode()
    ended = client.post("/my/deferral/end/")

    assert form.status_code == 200
    assert "推迟" in form.content.decode()
    assert deferred.status_code == 302
    assert "我们会再邀请您" in page
    assert ended.status_code == 302
    assert not Deferral.objects.filter(participant=woman, withdrawn_at__isnull=True)


def test_a_deferral_without_a_length_is_a_form_error_in_her_language(client: Client):
    registered_woman(PHONE)
    sign_in(client, PHONE)

    answer = client.post("/my/deferral/", {"reason": "menses"})

    assert answer.status_code == 400
    assert "必填" in answer.content.decode()
    assert not Deferral.objects.exists()


def test_the_deferral_page_sends_a_stranger_to_sign_in(client: Client):
    answer = client.get("/my/deferral/")
    assert answer.status_code == 302


def test_the_desk_defers_her_and_her_booking_ahead_gives_its_place_back(client):
    from scheduling.models import Appointment
    from tests.scheduling.desk_support import clinic_user
    from tests.scheduling.factories import AppointmentFactory, SiteFactory

    site = SiteFactory()
    appointment = AppointmentFactory(slot=SlotFactory(site=site, booked=1))
    nurse = clinic_user(site)
    client.force_login(nurse)

    form = client.get(f"/desk/appointments/{appointment.pk}/defer/")
    done = client.post(
        f"/desk/appointments/{appointment.pk}/defer/",
        {"reason": "pregnancy", "months": "18"},
    )

    assert form.status_code == 200
    assert appointment.participant.full_name not in form.content.decode()
    assert done.status_code == 302
    deferral = Deferral.objects.get(participant=appointment.participant)
    assert (deferral.months, deferral.recorded_by_id) == (18, nurse.pk)
    assert Appointment.objects.get(pk=appointment.pk).status == "cancelled"
    assert AuditEvent.objects.filter(action="recall.deferral.record").exists()


def test_another_sites_nurse_cannot_defer_her(client):
    from tests.scheduling.desk_support import clinic_user
    from tests.scheduling.factories import AppointmentFactory, SiteFactory

    appointment = AppointmentFactory(slot=SlotFactory(site=SiteFactory(), booked=1))
    client.force_login(clinic_user(SiteFactory()))

    answer = client.post(
        f"/desk/appointments/{appointment.pk}/defer/",
        {"reason": "menses", "months": "6"},
    )

    assert answer.status_code == 403
    assert not Deferral.objects.exists()
