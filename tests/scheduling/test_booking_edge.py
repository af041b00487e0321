"""A woman's Bearer-token booking answered before the session and staff
middleware (scheduling.booking_edge): the same answers as the DRF view, with
the security headers, and everything it does not answer left to the view."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from common.crypto import keyed_hash
from notifications.models import Notification
from scheduling.booking_edge import booking_answer
from scheduling.booking_statements import slot_for_booking, token_and_slot
from scheduling.models import Appointment, Slot
from screening.authentication import token_hash, token_with_participant
from screening.models import Participant
from tests.privacy.test_headers import _assert_hardened
from tests.scheduling.factories import ConsentedParticipantFactory, SlotFactory
from tests.screening.factories import bearer_token

pytestmark = pytest.mark.django_db

PATH = "/api/v1/appointments/"
EDGE = "scheduling.booking_edge.BookingEdgeMiddleware"
WITHOUT_EDGE = [m for m in settings.MIDDLEWARE if m != EDGE]


@pytest.fixture
def slot() -> Slot:
    return SlotFactory(capacity=10)


@pytest.fixture
def woman() -> Participant:
    return ConsentedParticipantFactory()


def _key(woman: Participant) -> str:
    return bearer_token(phone=woman.phone, participant=woman)


def _post(key: str, body: object, **headers: str):
    return Client().post(
        PATH,
        body if isinstance(body, str) else json.dumps(body),
        content_type=headers.pop("content_type", "application/json"),
        HTTP_AUTHORIZATION=f"Bearer {key}",
        **headers,
    )


def _both(make_request):
    """The answer through the edge and through the DRF view alone."""
    edge = make_request()
    with override_settings(MIDDLEWARE=WITHOUT_EDGE):
        view = make_request()
    return edge, view


def _request(key: str, body: object, **meta: str):
    return RequestFactory().post(
        PATH,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
        **meta,
    )


def test_a_plain_booking_is_answered_by_the_edge(slot, woman):
    response = booking_answer(_request(_key(woman), {"slot": slot.pk}))

    assert response is not None
    assert response.status_code == 201
    assert Appointment.objects.get(participant=woman).slot_id == slot.pk


@pytest.mark.parametrize(
    ("body", "meta"),
    [
        ({"slot": "1"}, {}),
        ({"slot": True}, {}),
        ({"slot": 0}, {}),
        ([1], {}),
        ({"slot": 1}, {"QUERY_STRING": "format=json"}),
        ({"slot": 1}, {"HTTP_ACCEPT": "text/html"}),
    ],
    ids=["text slot", "bool slot", "slot 0", "a list", "query", "html wanted"],
)
def test_what_the_serializer_or_negotiation_must_judge_goes_on(body, meta, woman):
    assert booking_answer(_request(_key(woman), body, **meta)) is None


def test_an_unknown_token_or_a_phone_not_yet_registered_goes_on(slot):
    unregistered = bearer_token(phone="13900000001")

    assert booking_answer(_request("not-a-token", {"slot": slot.pk})) is None
    assert booking_answer(_request(unregistered, {"slot": slot.pk})) is None


def test_the_edge_books_as_the_view_does_and_sends_the_headers(slot):
    edge, view = _both(
        lambda: _post(_key(ConsentedParticipantFactory()), {"slot": slot.pk})
    )

    assert (edge.status_code, view.status_code) == (201, 201)
    for response in (edge, view):
        _assert_hardened(response)
        assert response["X-Frame-Options"] == "DENY"
        assert response["Content-Type"] == "application/json"
        assert response["Content-Language"] == "zh-hans"
        assert response["Allow"] == view["Allow"]
    same = {"id", "reference"}
    assert {k: v for k, v in edge.json().items() if k not in same} == {
        k: v for k, v in view.json().items() if k not in same
    }
    assert Appointment.objects.filter(slot=slot).count() == 2


def test_the_confirmation_is_written_once_for_a_booking_through_the_edge(slot, woman):
    response = _post(_key(woman), {"slot": slot.pk})

    appointment = Appointment.objects.get(pk=response.json()["id"])
    confirmations = Notification.objects.filter(
        kind="booking_confirmed",
        dedupe_key__startswith=f"appointment:{appointment.pk}:",
    )
    assert confirmations.count() == 1
    confirmation = confirmations.get()
    assert confirmation.recipient_phone == woman.phone
    assert confirmation.recipient_hash == keyed_hash(woman.phone, purpose="phone")
    # Her phone's token copied as it is, not opened and sealed again.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.recipient_phone = p.phone FROM notifications_notification n,"
            " screening_participant p WHERE n.id = %s AND p.id = %s",
            [confirmation.pk, woman.pk],
        )
        assert cursor.fetchone()[0] is True


def test_a_full_slot_is_the_same_409_through_the_edge(woman):
    full = SlotFactory(capacity=1, booked=1)
    key = _key(woman)

    edge, view = _both(lambda: _post(key, {"slot": full.pk}))

    assert edge.status_code == view.status_code == 409
    assert edge.json() == view.json()
    assert edge.json()["code"] == "slot_full"
    _assert_hardened(edge)


def test_a_refusal_is_written_in_the_language_she_asks_for(woman):
    full = SlotFactory(capacity=1, booked=1)
    key = _key(woman)

    edge, view = _both(lambda: _post(key, {"slot": full.pk}, HTTP_ACCEPT_LANGUAGE="en"))

    assert edge.json() == view.json()
    assert edge["Content-Language"] == "en"
    assert edge.json()["detail"].isascii()


def test_an_idempotency_key_repeated_through_the_edge_books_once(slot, woman):
    key = _key(woman)

    first = _post(key, {"slot": slot.pk}, HTTP_IDEMPOTENCY_KEY="abc")
    again = _post(key, {"slot": slot.pk}, HTTP_IDEMPOTENCY_KEY="abc")
    with override_settings(MIDDLEWARE=WITHOUT_EDGE):
        through_view = _post(key, {"slot": slot.pk}, HTTP_IDEMPOTENCY_KEY="abc")
    overlong = _post(key, {"slot": slot.pk}, HTTP_IDEMPOTENCY_KEY="k" * 101)

    slot.refresh_from_db()
    assert (first.status_code, again.status_code, through_view.status_code) == (
        201,
        201,
        201,
    )
    assert first.json() == again.json() == through_view.json()
    assert slot.booked == 1
    assert (overlong.status_code, overlong.json()["code"]) == (
        400,
        "invalid_idempotency_key",
    )


def test_a_bad_token_is_a_401_in_json_with_the_headers(slot):
    response = _post("not-a-token", {"slot": slot.pk})

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == "Bearer"
    _assert_hardened(response)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "parse_error"),
        ("[" * 40 + "]" * 40, "json_too_deep"),
        ('{"slot": 123456789012345678901234}', "integer_out_of_range"),
    ],
    ids=["broken", "too deep", "huge number"],
)
def test_a_bad_body_is_a_400_with_a_code(slot, woman, body, code):
    response = _post(_key(woman), body)

    assert response.status_code == 400
    assert response.json()["code"] == code
    _assert_hardened(response)


@pytest.mark.parametrize(
    "body", [{}, {"slot": "abc"}, {"slot": 0}, {"slot": None}, [1]], ids=str
)
def test_a_bad_slot_gets_the_serializers_answer(woman, body):
    key = _key(woman)

    edge, view = _both(lambda: _post(key, body))

    assert edge.status_code == view.status_code == 400
    assert edge.json() == view.json()


def test_a_phone_not_yet_registered_is_refused_with_403(slot):
    response = _post(bearer_token(phone="13900000002"), {"slot": slot.pk})

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_a_host_not_allowed_is_a_400_and_books_nothing(slot, woman):
    response = _post(_key(woman), {"slot": slot.pk}, HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert not Appointment.objects.exists()


def test_a_slot_that_does_not_exist_is_the_same_404_through_the_edge(woman):
    key = _key(woman)

    edge, view = _both(lambda: _post(key, {"slot": 999_999}))

    assert edge.status_code == view.status_code == 404
    assert edge.json() == view.json()


def test_the_one_read_of_token_and_slot_matches_the_two_reads(slot, woman):
    now = timezone.now()
    today = timezone.localdate(now)
    keys = {
        "hers": _key(woman),
        "unregistered": bearer_token(phone="13900000003"),
        "unknown": "not-a-token",
    }
    for name, key in keys.items():
        for slot_id in (slot.pk, 999_999):
            read = token_and_slot(
                key_hash=token_hash(key), now=now, slot_id=slot_id, today=today
            )
            token = token_with_participant(key_hash=token_hash(key), now=now)
            if token is None:
                assert read is None, name
                continue
            assert read is not None
            assert read.participant == token.participant, name
            if token.participant is None:
                assert read.slot is None
                continue
            alone = slot_for_booking(
                slot_id=slot_id, participant_id=woman.pk, today=today
            )
            assert (read.slot is None) == (alone is None)
            if alone is not None:
                assert read.slot is not None
                assert read.slot.campaign == alone.campaign
                assert read.slot.site == alone.site
                assert [read.slot.her_active, read.slot.her_consent] == [
                    alone.her_active,
                    alone.her_consent,
                ]
    expired = token_and_slot(
        key_hash=token_hash(keys["hers"]),
        now=now + timedelta(days=30),
        slot_id=slot.pk,
        today=today,
    )
    assert expired is None
