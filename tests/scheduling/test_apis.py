"""The booking API of SPEC §4, through HTTP: shapes, codes and who sees what."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from scheduling.models import Appointment, AppointmentStatus, IdempotencyRecord, Slot
from screening.authentication import PhoneIdentity
from screening.models import CampaignStatus, Consent, Participant
from tests.scheduling.factories import (
    ConsentedParticipantFactory,
    SiteFactory,
    SlotFactory,
    tomorrow_at,
)
from tests.screening.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def client_for(participant: Participant) -> APIClient:
    client = APIClient()
    client.force_authenticate(
        PhoneIdentity(
            phone=participant.phone,
            phone_hash=participant.phone_hash,
            participant=participant,
        )
    )
    return client


@pytest.fixture
def slot() -> Slot:
    return SlotFactory(capacity=10)


@pytest.fixture
def participant() -> Participant:
    return ConsentedParticipantFactory()


@pytest.fixture
def client(participant) -> APIClient:
    return client_for(participant)


def book(client: APIClient, slot_id: int, **headers: str):
    return client.post(
        "/api/v1/appointments/", {"slot": slot_id}, format="json", **headers
    )


# --- slot list -------------------------------------------------------------------


def test_anyone_can_list_a_campaigns_future_slots(slot, django_assert_num_queries):
    SlotFactory(campaign=slot.campaign, starts_at=timezone.now() - timedelta(hours=2))

    # One query: the campaign's draft check rides on the slot query.
    with django_assert_num_queries(1):
        response = APIClient().get(f"/api/v1/campaigns/{slot.campaign_id}/slots/")

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": slot.pk,
            "site": slot.site_id,
            "starts_at": response.json()[0]["starts_at"],
            "ends_at": response.json()[0]["ends_at"],
            "capacity": 10,
            "places": "available",
        }
    ]
    assert response["Cache-Control"] == "no-store"


def test_the_slot_list_filters_by_site_day_and_free_places(slot):
    other_site = SlotFactory(campaign=slot.campaign, site=SiteFactory())
    full = SlotFactory(
        campaign=slot.campaign, site=slot.site, starts_at=tomorrow_at(14), booked=10
    )
    later = SlotFactory(
        campaign=slot.campaign,
        site=slot.site,
        starts_at=slot.starts_at + timedelta(days=1),
    )
    day = timezone.localdate(slot.starts_at)
    url = f"/api/v1/campaigns/{slot.campaign_id}/slots/"

    by_site = APIClient().get(url, {"site": slot.site_id})
    by_day = APIClient().get(url, {"site": slot.site_id, "date": day.isoformat()})
    free = APIClient().get(
        url, {"site": slot.site_id, "date": day.isoformat(), "available": "true"}
    )

    assert [s["id"] for s in by_site.json()] == [slot.pk, full.pk, later.pk]
    assert [s["id"] for s in by_day.json()] == [slot.pk, full.pk]
    assert [s["id"] for s in free.json()] == [slot.pk]
    assert other_site.pk not in [s["id"] for s in by_site.json()]


def test_the_slot_list_of_an_unknown_campaign_is_404():
    response = APIClient().get("/api/v1/campaigns/999999/slots/")

    assert response.status_code == 404
    assert response.json()["code"] == "campaign_not_found"


def test_the_slot_list_of_a_draft_campaign_is_404():
    slot = SlotFactory(campaign=CampaignFactory(status=CampaignStatus.DRAFT))

    response = APIClient().get(f"/api/v1/campaigns/{slot.campaign_id}/slots/")

    assert response.status_code == 404


def test_the_slot_list_with_a_bad_date_is_400(slot):
    response = APIClient().get(
        f"/api/v1/campaigns/{slot.campaign_id}/slots/", {"date": "2026-02-30"}
    )

    assert response.status_code == 400
    assert "date" in response.json()


# --- booking ---------------------------------------------------------------------


def test_booking_answers_201_with_the_appointment(client, slot):
    response = book(client, slot.pk)

    assert response.status_code == 201
    body = response.json()
    appointment = Appointment.objects.get()
    assert body["id"] == appointment.pk
    assert body["reference"] == appointment.reference
    assert body["status"] == "booked"
    assert body["slot"] == slot.pk
    assert body["site"]["id"] == slot.site_id
    assert body["site"]["name"] == slot.site.name
    assert "starts_at" in body
    assert "checkin_token" not in body
    assert response["Cache-Control"] == "no-store"


def test_a_booking_answers_with_the_body_every_appointment_endpoint_gives(client, slot):
    """The booking builds its body without the serializer (ADR 0008); it must
    be the serializer's body, field for field, as the read endpoint gives it."""
    slot.site.address = "北京市朝阳区 1 号"
    slot.site.phone = "010-12345678"
    slot.site.save()

    booked = book(client, slot.pk).json()
    read = client.get(f"/api/v1/appointments/{booked['id']}/").json()

    assert booked == read
    assert booked["starts_at"].endswith("+08:00")
    assert booked["site"]["address"] == "北京市朝阳区 1 号"


def test_booking_needs_a_registered_participant(slot):
    anonymous = book(APIClient(), slot.pk)
    unregistered = APIClient()
    unregistered.force_authenticate(
        PhoneIdentity(phone="13800000000", phone_hash="x" * 64, participant=None)
    )

    assert anonymous.status_code == 401
    assert book(unregistered, slot.pk).status_code == 403
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("setup", "status", "code"),
    [
        ("missing", 404, "slot_not_found"),
        ("past", 400, "slot_closed"),
        ("closed_campaign", 400, "slot_closed"),
        ("full", 409, "slot_full"),
        ("already_booked", 409, "already_booked"),
        ("no_consent", 403, "not_eligible"),
    ],
)
def test_booking_refusals_have_their_codes(client, participant, setup, status, code):
    slot = SlotFactory(capacity=3)
    slot_id = slot.pk
    if setup == "missing":
        slot_id = 999_999
    elif setup == "past":
        Slot.objects.filter(pk=slot.pk).update(
            starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now()
        )
    elif setup == "closed_campaign":
        type(slot.campaign).objects.filter(pk=slot.campaign_id).update(
            status=CampaignStatus.CLOSED
        )
    elif setup == "full":
        Slot.objects.filter(pk=slot.pk).update(booked=3)
    elif setup == "already_booked":
        book(client, SlotFactory(campaign=slot.campaign, starts_at=tomorrow_at(15)).pk)
    elif setup == "no_consent":
        Consent.objects.filter(participant=participant).delete()

    response = book(client, slot_id)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["detail"]


def test_not_eligible_lists_its_reasons(client, participant, slot):
    Consent.objects.filter(participant=participant).delete()

    response = book(client, slot.pk)

    assert response.status_code == 403
    assert [r["code"] for r in response.json()["reasons"]] == ["no_consent"]
    assert response.json()["reasons"][0]["message"]


def test_booking_without_a_slot_is_a_field_error(client):
    response = client.post("/api/v1/appointments/", {}, format="json")

    assert response.status_code == 400
    assert "slot" in response.json()


# --- idempotency -----------------------------------------------------------------


def test_a_repeated_idempotency_key_returns_the_same_body_and_books_once(client, slot):
    first = book(client, slot.pk, HTTP_IDEMPOTENCY_KEY="abc-123")
    second = book(client, slot.pk, HTTP_IDEMPOTENCY_KEY="abc-123")

    slot.refresh_from_db()
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert slot.booked == 1
    assert Appointment.objects.count() == 1


def test_an_idempotency_key_belongs_to_one_participant(slot):
    first = book(
        client_for(ConsentedParticipantFactory()), slot.pk, HTTP_IDEMPOTENCY_KEY="k"
    )
    second = book(
        client_for(ConsentedParticipantFactory()), slot.pk, HTTP_IDEMPOTENCY_KEY="k"
    )

    assert first.json()["id"] != second.json()["id"]
    assert IdempotencyRecord.objects.count() == 2


def test_an_idempotency_key_reused_for_another_slot_is_422(client, slot):
    other = SlotFactory(campaign=slot.campaign, starts_at=tomorrow_at(15))
    book(client, slot.pk, HTTP_IDEMPOTENCY_KEY="k")

    response = book(client, other.pk, HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"


def test_an_overlong_idempotency_key_is_400(client, slot):
    response = book(client, slot.pk, HTTP_IDEMPOTENCY_KEY="k" * 101)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"


# --- her appointments ------------------------------------------------------------


def test_she_lists_only_her_own_appointments(client, slot, django_assert_num_queries):
    mine = book(client, slot.pk).json()
    book(client_for(ConsentedParticipantFactory()), slot.pk)

    with django_assert_num_queries(1):
        response = client.get("/api/v1/appointments/")

    assert response.status_code == 200
    assert [a["id"] for a in response.json()] == [mine["id"]]


def test_she_reads_her_appointment(client, slot):
    mine = book(client, slot.pk).json()

    response = client.get(f"/api/v1/appointments/{mine['id']}/")

    assert response.status_code == 200
    assert response.json() == mine


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("post", "cancel/"),
        ("post", "reschedule/"),
        ("get", "qr.svg"),
        ("get", "calendar.ics"),
    ],
)
def test_someone_elses_appointment_is_404_everywhere(slot, method, suffix):
    hers = book(client_for(ConsentedParticipantFactory()), slot.pk).json()
    other = SlotFactory(campaign=slot.campaign, starts_at=tomorrow_at(15))
    stranger = client_for(ConsentedParticipantFactory())

    response = getattr(stranger, method)(
        f"/api/v1/appointments/{hers['id']}/{suffix}", {"slot": other.pk}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Appointment.objects.get().status == AppointmentStatus.BOOKED
    slot.refresh_from_db()
    assert slot.booked == 1


# --- cancel and reschedule -------------------------------------------------------


def test_cancelling_answers_200_and_frees_the_place(client, slot):
    mine = book(client, slot.pk).json()

    response = client.post(f"/api/v1/appointments/{mine['id']}/cancel/")

    slot.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert slot.booked == 0


def test_cancelling_twice_answers_200_both_times(client, slot):
    mine = book(client, slot.pk).json()
    client.post(f"/api/v1/appointments/{mine['id']}/cancel/")

    response = client.post(f"/api/v1/appointments/{mine['id']}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_cancelling_after_check_in_is_409(client, slot):
    mine = book(client, slot.pk).json()
    Appointment.objects.filter(pk=mine["id"]).update(
        status=AppointmentStatus.CHECKED_IN
    )

    response = client.post(f"/api/v1/appointments/{mine['id']}/cancel/")

    assert response.status_code == 409
    assert response.json()["code"] == "not_cancellable"


def test_rescheduling_answers_200_with_the_new_slot(client, slot):
    other = SlotFactory(campaign=slot.campaign, starts_at=tomorrow_at(15))
    mine = book(client, slot.pk).json()

    response = client.post(
        f"/api/v1/appointments/{mine['id']}/reschedule/",
        {"slot": other.pk},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["slot"] == other.pk
    assert response.json()["reference"] == mine["reference"]


@pytest.mark.parametrize(
    ("target", "status", "code"),
    [
        ("full", 409, "slot_full"),
        ("same", 400, "same_slot"),
        ("missing", 404, "slot_not_found"),
        ("other_campaign", 400, "wrong_campaign"),
    ],
)
def test_rescheduling_refusals_keep_the_old_booking(client, slot, target, status, code):
    mine = book(client, slot.pk).json()
    targets = {
        "full": lambda: (
            SlotFactory(
                campaign=slot.campaign, starts_at=tomorrow_at(15), capacity=1, booked=1
            ).pk
        ),
        "same": lambda: slot.pk,
        "missing": lambda: 999_999,
        "other_campaign": lambda: SlotFactory().pk,
    }

    response = client.post(
        f"/api/v1/appointments/{mine['id']}/reschedule/",
        {"slot": targets[target]()},
        format="json",
    )

    assert response.status_code == status
    assert response.json()["code"] == code
    assert client.get(f"/api/v1/appointments/{mine['id']}/").json() == mine
    slot.refresh_from_db()
    assert slot.booked == 1


def test_rescheduling_a_cancelled_appointment_is_409(client, slot):
    other = SlotFactory(campaign=slot.campaign, starts_at=tomorrow_at(15))
    mine = book(client, slot.pk).json()
    client.post(f"/api/v1/appointments/{mine['id']}/cancel/")

    response = client.post(
        f"/api/v1/appointments/{mine['id']}/reschedule/",
        {"slot": other.pk},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "not_reschedulable"


# --- QR code and calendar file ---------------------------------------------------


def test_the_qr_code_is_an_svg_of_the_check_in_token_not_the_reference(client, slot):
    mine = book(client, slot.pk).json()

    response = client.get(
        f"/api/v1/appointments/{mine['id']}/qr.svg", HTTP_ACCEPT="image/svg+xml"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "no-store"
    svg = response.content.decode()
    assert svg.lstrip().startswith("<svg")
    assert svg.rstrip().endswith("</svg>")
    assert mine["reference"] not in svg


def test_the_qr_code_changes_with_the_token_only(client, slot):
    mine = book(client, slot.pk).json()
    first = client.get(f"/api/v1/appointments/{mine['id']}/qr.svg").content
    Appointment.objects.filter(pk=mine["id"]).update(checkin_token="another-token")

    second = client.get(f"/api/v1/appointments/{mine['id']}/qr.svg").content

    assert first != second


def test_the_calendar_file_is_one_event_at_the_visit_time(client, slot):
    mine = book(client, slot.pk).json()

    response = client.get(f"/api/v1/appointments/{mine['id']}/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.endswith("\r\n")
    lines = text.split("\r\n")[:-1]
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 1
    assert f"DTSTART:{slot.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}" in lines
    assert f"DTEND:{slot.ends_at.astimezone(UTC):%Y%m%dT%H%M%SZ}" in lines
    assert f"UID:appointment-{mine['id']}@testserver" in lines
    assert any(line.startswith("DTSTAMP:") and line.endswith("Z") for line in lines)
    assert all(len(line.encode()) <= 75 for line in lines)
