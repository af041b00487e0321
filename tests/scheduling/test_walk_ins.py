"""Walk-ins: registered through the sign-up rules, given one of the day's walk-in
places and checked in, all in one transaction."""

import pytest

from common.crypto import keyed_hash
from common.models import AuditEvent
from scheduling.models import Appointment, AppointmentStatus, Slot
from screening.models import Consent, Participant, Visit
from tests.scheduling.desk_support import (
    booked_today,
    clinic_user,
    slot_today,
    token_client,
)
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import (
    CampaignFactory,
    DistrictFactory,
    ParticipantFactory,
    newcomer_id_number,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():  # type: ignore[no-untyped-def]
    return DistrictFactory(code="410802", name="解放区")


@pytest.fixture
def campaign(district):  # type: ignore[no-untyped-def]
    return CampaignFactory(districts=[district])


@pytest.fixture
def site(campaign):  # type: ignore[no-untyped-def]
    site = SiteFactory(walk_in_capacity=2)
    slot_today(site=site, campaign=campaign)
    return site


@pytest.fixture
def api(site):  # type: ignore[no-untyped-def]
    return token_client(clinic_user(site))


def walk_in(api, **changes):  # type: ignore[no-untyped-def]
    body = {
        "phone": "139 0000 1234",
        "full_name": "李红",
        "id_number": newcomer_id_number(4242),
        "employment_type": "courier",
        "district": "410802",
        "consent": True,
        **changes,
    }
    return api.post("/api/v1/clinic/walk-ins/", body, format="json")


def test_a_walk_in_is_registered_booked_and_checked_in(api, site, campaign) -> None:  # type: ignore[no-untyped-def]
    response = walk_in(api)

    assert response.status_code == 201, response.json()
    appointment = Appointment.objects.get(pk=response.json()["id"])
    assert appointment.is_walk_in
    assert appointment.status == AppointmentStatus.CHECKED_IN
    assert appointment.campaign == campaign
    assert appointment.slot.site == site
    assert appointment.slot.booked == 1
    assert appointment.slot.capacity == 2
    participant = appointment.participant
    assert participant.phone == "13900001234"
    assert Consent.objects.filter(participant=participant).exists()
    assert Visit.objects.filter(appointment_id=appointment.pk).exists()
    event = AuditEvent.objects.get(action="appointment.checkin")
    assert event.details["via"] == "walk_in"


def test_the_walk_in_slot_is_never_offered_for_online_booking(api, campaign) -> None:  # type: ignore[no-untyped-def]
    walk_in(api)

    listed = api.get(f"/api/v1/campaigns/{campaign.pk}/slots/").json()

    walk_in_slot = Appointment.objects.get().slot_id
    assert walk_in_slot not in [slot["id"] for slot in listed]


def test_a_woman_on_record_with_the_same_phone_id_and_name_is_reused(api) -> None:  # type: ignore[no-untyped-def]
    id_number = newcomer_id_number(777)
    existing = ParticipantFactory(
        phone="13900001234", id_number=id_number, full_name="李红"
    )

    response = walk_in(api, id_number=id_number, full_name=" 李 红 ")

    assert response.status_code == 201, response.json()
    assert Participant.objects.count() == 1
    assert Appointment.objects.get().participant == existing


def test_an_existing_id_number_with_a_new_phone_and_name_is_a_conflict(api) -> None:  # type: ignore[no-untyped-def]
    id_number = newcomer_id_number(777)
    existing = ParticipantFactory(
        id_number=id_number, phone="13700000000", full_name="王秀英"
    )

    response = walk_in(api, id_number=id_number, phone="13912340000", full_name="周丽")

    assert response.status_code == 409, response.json()
    body = response.json()
    assert body["code"] == "identity_conflict"
    assert body["record"] == {
        "id": existing.pk,
        "name": "王**",
        "phone": "137****0000",
        "id_number": existing.masked_id_number,
    }
    assert set(body["differs"]) == {"phone", "full_name"}
    assert body["confirmable"] is True
    assert not Appointment.objects.exists()
    assert Participant.objects.count() == 1
    event = AuditEvent.objects.get(action="walk_in.identity_conflict")
    assert event.object_type == "participant"
    assert event.object_id == str(existing.pk)


def test_an_existing_phone_with_another_id_number_is_a_conflict(api) -> None:  # type: ignore[no-untyped-def]
    existing = ParticipantFactory(phone="13900001234", full_name="李红")

    response = walk_in(api)

    assert response.status_code == 409
    assert response.json()["differs"] == ["id_number"]
    assert response.json()["record"]["id"] == existing.pk
    assert not Appointment.objects.exists()


def test_phone_and_id_number_of_two_women_cannot_be_confirmed(api) -> None:  # type: ignore[no-untyped-def]
    by_phone = ParticipantFactory(phone="13900001234")
    by_id = ParticipantFactory(id_number=newcomer_id_number(4242))

    response = walk_in(api, confirm_record=by_phone.pk)

    assert response.status_code == 409
    body = response.json()
    assert body["confirmable"] is False
    assert {record["id"] for record in body["records"]} == {by_phone.pk, by_id.pk}
    assert not Appointment.objects.exists()


def test_the_nurse_confirms_the_record_and_the_visit_goes_on_it_audited(api) -> None:  # type: ignore[no-untyped-def]
    id_number = newcomer_id_number(777)
    existing = ParticipantFactory(id_number=id_number, phone="13700000000")

    response = walk_in(
        api, id_number=id_number, phone="13912340000", confirm_record=existing.pk
    )

    assert response.status_code == 201, response.json()
    assert Appointment.objects.get().participant == existing
    existing.refresh_from_db()
    assert existing.phone == "13700000000"
    event = AuditEvent.objects.get(action="walk_in.identity_confirmed")
    assert event.object_id == str(existing.pk)
    assert set(event.details["differs"]) == {"phone", "full_name"}


def test_confirming_another_record_than_the_one_named_is_still_a_conflict(api) -> None:  # type: ignore[no-untyped-def]
    id_number = newcomer_id_number(777)
    ParticipantFactory(id_number=id_number, phone="13700000000")
    bystander = ParticipantFactory()

    response = walk_in(api, id_number=id_number, confirm_record=bystander.pk)

    assert response.status_code == 409
    assert not Appointment.objects.exists()


def test_a_wrong_id_number_is_400_and_writes_nothing(api) -> None:  # type: ignore[no-untyped-def]
    response = walk_in(api, id_number="410802198001011230")

    assert response.status_code == 400
    assert "id_number" in response.json()["errors"]
    assert not Participant.objects.exists()
    assert not Slot.objects.filter(booked__gt=0).exists()


def test_without_her_consent_nothing_is_written(api) -> None:  # type: ignore[no-untyped-def]
    response = walk_in(api, consent=False)

    assert response.status_code == 400
    assert "consent" in response.json()["errors"]
    assert not Participant.objects.exists()


def test_when_the_walk_in_places_are_taken_it_is_409_and_nothing_is_written(
    api,
) -> None:  # type: ignore[no-untyped-def]
    walk_in(api, phone="13900000001", id_number=newcomer_id_number(1))
    walk_in(api, phone="13900000002", id_number=newcomer_id_number(2))

    response = walk_in(api, phone="13900000003", id_number=newcomer_id_number(3))

    assert response.status_code == 409
    assert response.json()["code"] == "walk_ins_full"
    assert Participant.objects.count() == 2
    assert Appointment.objects.count() == 2


def test_a_woman_with_a_booking_here_is_sent_to_check_that_in(
    api, site, campaign
) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site, hour=15, campaign=campaign)
    participant = appointment.participant

    response = walk_in(
        api,
        phone=participant.phone,
        id_number=participant.id_number,
        full_name=participant.full_name,
    )

    assert response.status_code == 409
    assert response.json()["code"] == "already_booked"
    assert response.json()["reference"] == appointment.reference


def test_no_campaign_at_the_site_today_is_400(campaign) -> None:  # type: ignore[no-untyped-def]
    idle_site = SiteFactory()
    api = token_client(clinic_user(idle_site))

    response = walk_in(api)

    assert response.status_code == 400
    assert response.json()["code"] == "no_campaign_today"


def test_undoing_a_walk_in_cancels_it_and_gives_the_place_back(api) -> None:  # type: ignore[no-untyped-def]
    appointment_id = walk_in(api).json()["id"]

    response = api.post(f"/api/v1/clinic/checkins/{appointment_id}/undo/")

    assert response.status_code == 200
    appointment = Appointment.objects.get(pk=appointment_id)
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.slot.booked == 0


def test_the_phone_hash_finds_the_registered_walk_in(api) -> None:  # type: ignore[no-untyped-def]
    walk_in(api)

    assert Participant.objects.filter(
        phone_hash=keyed_hash("13900001234", purpose="phone")
    ).exists()
