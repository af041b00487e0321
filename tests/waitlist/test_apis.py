"""The waitlist API of SPEC §8.3 through HTTP: shapes, codes and who sees what."""

import pytest
from rest_framework.test import APIClient

from scheduling.services import appointment_cancel
from screening.authentication import PhoneIdentity
from screening.models import Participant
from tests.scheduling.factories import ConsentedParticipantFactory
from tests.waitlist.support import day_after_tomorrow_at, full_slot, waiting_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_fill_task(monkeypatch):
    monkeypatch.setattr(
        "scheduling.waitlist.offers._fill_later", lambda _campaign_id: None
    )


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


def test_she_joins_a_full_day_and_learns_her_place_in_line():
    slot, _ = full_slot(capacity=1)
    waiting_for(slot, 2)
    client = client_for(ConsentedParticipantFactory())
    day = day_after_tomorrow_at(15).date().isoformat()

    answer = client.post(
        "/api/v1/waitlist/",
        {"campaign": slot.campaign_id, "site": slot.site_id, "day": day},
        format="json",
    )

    assert answer.status_code == 201
    assert answer.json()["position"] == 3


def test_joining_twice_is_a_409_already_waiting():
    slot, _ = full_slot(capacity=1)
    (entry,) = waiting_for(slot, 1)
    client = client_for(entry.participant)

    answer = client.post(
        "/api/v1/waitlist/",
        {"campaign": slot.campaign_id, "site": slot.site_id, "day": None},
        format="json",
    )

    assert answer.status_code == 409
    assert answer.json()["code"] == "already_waiting"


def test_a_booked_woman_joining_is_a_409_already_booked():
    slot, booked = full_slot(capacity=1)
    answer = client_for(booked[0].participant).post(
        "/api/v1/waitlist/",
        {"campaign": slot.campaign_id, "site": slot.site_id},
        format="json",
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "already_booked"


def test_bad_input_is_a_400_with_the_field_named():
    answer = client_for(ConsentedParticipantFactory()).post(
        "/api/v1/waitlist/", {"campaign": "x", "site": 1, "day": "soon"}, format="json"
    )
    assert answer.status_code == 400


def test_nobody_signed_in_cannot_join():
    answer = APIClient().post("/api/v1/waitlist/", {}, format="json")
    assert answer.status_code in (401, 403)


def test_her_entries_show_the_held_offer_and_the_claim_books_it():
    slot, booked = full_slot(capacity=1)
    (entry,) = waiting_for(slot, 1)
    appointment_cancel(appointment=booked[0])
    client = client_for(entry.participant)

    listed = client.get("/api/v1/waitlist/").json()
    claimed = client.post(f"/api/v1/waitlist/{entry.pk}/claim/")
    again = client.post(f"/api/v1/waitlist/{entry.pk}/claim/")

    assert listed[0]["status"] == "offered"
    assert listed[0]["offer"]["slot"] == slot.pk
    assert claimed.status_code == 201
    assert claimed.json()["slot"] == slot.pk
    assert again.status_code == 409
    assert again.json()["code"] == "already_booked"


def test_claiming_with_nothing_held_is_a_409_offer_expired():
    slot, _ = full_slot(capacity=1)
    (entry,) = waiting_for(slot, 1)
    answer = client_for(entry.participant).post(f"/api/v1/waitlist/{entry.pk}/claim/")
    assert answer.status_code == 409
    assert answer.json()["code"] == "offer_expired"


def test_someone_elses_entry_is_a_404():
    slot, _ = full_slot(capacity=1)
    (entry,) = waiting_for(slot, 1)
    stranger = client_for(ConsentedParticipantFactory())
    assert stranger.post(f"/api/v1/waitlist/{entry.pk}/claim/").status_code == 404
    assert stranger.post(f"/api/v1/waitlist/{entry.pk}/leave/").status_code == 404


def test_leaving_says_left():
    slot, _ = full_slot(capacity=1)
    (entry,) = waiting_for(slot, 1)
    answer = client_for(entry.participant).post(f"/api/v1/waitlist/{entry.pk}/leave/")
    assert answer.status_code == 200
    assert answer.json()["status"] == "left"


def test_the_claims_answer_has_the_shape_of_a_booking():
    from scheduling.apis import booked_answer
    from scheduling.waitlist.apis import claimed_answer

    _slot, booked = full_slot(capacity=1)
    assert claimed_answer(booked[0]) == booked_answer(booked[0])
