"""Her data, her rights: see it all, take a copy, withdraw consent, delete it."""

import json
from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import timezone, translation

from common.audit import audit_record
from common.crypto import keyed_hash
from common.models import AuditEvent
from notifications.models import Status
from notifications.services import notification_schedule
from scheduling.models import AppointmentStatus
from screening.models import (
    Consent,
    ConsentPurpose,
    DeletionStatus,
    FollowUpStatus,
    Participant,
    ParticipantToken,
    Result,
)
from screening.privacy import participant_anonymise, participant_withdraw_consent
from screening.retention import purge_expired
from tests.accounts.factories import UserFactory
from tests.privacy.support import sign_in_page, visit_with_result
from tests.scheduling.factories import AppointmentFactory, ConsentedParticipantFactory

pytestmark = pytest.mark.django_db

DATA = "/my/data/"
DOWNLOAD = "/my/data.json"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def her() -> Participant:
    return ConsentedParticipantFactory(full_name="李秀英", employer="某快递")


@pytest.fixture
def other() -> Participant:
    return ConsentedParticipantFactory(full_name="赵春花")


def _booked(participant: Participant):  # type: ignore[no-untyped-def]
    """A booking whose place is counted in its slot, as booking would leave it."""
    appointment = AppointmentFactory(participant=participant)
    appointment.slot.booked = 1
    appointment.slot.save(update_fields=["booked"])
    return appointment


def _message(participant: Participant, key: str, *, future: bool = False) -> None:
    notification_schedule(
        phone=participant.phone,
        kind="reminder_day_before",
        dedupe_key=key,
        context={"site": "x"},
        recipient_ref=f"participant:{participant.pk}",
        send_at=timezone.now() + timezone.timedelta(days=2) if future else None,
    )


def test_the_data_page_shows_everything_about_her_and_nothing_of_anyone_else(
    client: Client, her: Participant, other: Participant
) -> None:
    appointment = AppointmentFactory(participant=her)
    other_appointment = AppointmentFactory(participant=other)
    _message(her, "mine:1")
    _message(other, "theirs:1")
    nurse = UserFactory(username="nurse_wang")
    audit_record(
        actor=nurse,
        action="appointment.viewed",
        obj_type="appointment",
        obj_id=appointment.pk,
    )
    audit_record(
        actor=UserFactory(username="nurse_zhou"),
        action="appointment.viewed",
        obj_type="appointment",
        obj_id=other_appointment.pk,
    )
    visit_with_result(her, appointment.campaign)
    sign_in_page(client, her)

    response = client.get(DATA)

    body = response.content.decode()
    assert response.status_code == 200
    assert "李秀英" in body
    assert her.id_number not in body
    assert her.id_number[:6] + "********" + her.id_number[-4:] in body
    assert appointment.reference in body
    assert "nurse_wang" in body
    assert "HPV_16_18_POS" in body
    assert "赵春花" not in body
    assert other_appointment.reference not in body
    assert "nurse_zhou" not in body
    assert "no-store" in response["Cache-Control"]


def test_the_download_is_the_same_data_as_an_attachment_never_cached(
    client: Client, her: Participant, other: Participant
) -> None:
    AppointmentFactory(participant=her)
    _message(her, "mine:1")
    _message(other, "theirs:1")
    sign_in_page(client, her)

    response = client.get(DOWNLOAD)

    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert data["profile"]["full_name"] == "李秀英"
    assert data["profile"]["phone"] == her.phone[:3] + "****" + her.phone[-4:]
    assert [c["text_version"] for c in data["consents"]] == ["1"]
    assert len(data["appointments"]) == 1
    assert [m["kind"] for m in data["messages"]] == ["reminder_day_before"]
    assert other.phone not in response.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client: Client) -> None:
    assert client.get(DATA).status_code == 302
    assert client.get(DOWNLOAD).status_code == 302
    assert client.post("/my/data/delete/", {"confirm": "on"}).status_code == 302


def test_withdrawing_consent_cancels_her_bookings_and_future_messages(
    her: Participant,
) -> None:
    appointment = _booked(her)
    _message(her, "later:1", future=True)

    participant_withdraw_consent(participant=her)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert Consent.objects.get(participant=her).withdrawn_at is not None
    reminder = her_notifications(her).get(dedupe_key="later:1")
    assert reminder.status == Status.CANCELLED


def her_notifications(participant: Participant):  # type: ignore[no-untyped-def]
    from notifications.models import Notification

    return Notification.objects.filter(recipient_ref=f"participant:{participant.pk}")


def test_the_withdraw_form_withdraws_and_comes_back_to_her_data(
    client: Client, her: Participant
) -> None:
    sign_in_page(client, her)

    response = client.post("/my/data/withdraw/", {"confirm": "on"})

    assert response.status_code == 302
    assert not Consent.objects.filter(
        participant=her, purpose=ConsentPurpose.HEALTH_DATA, withdrawn_at__isnull=True
    ).exists()


def test_deletion_without_a_hold_anonymises_her_at_once_and_signs_her_out(
    client: Client, her: Participant
) -> None:
    _booked(her)
    _message(her, "later:1", future=True)
    sign_in_page(client, her)
    district, employment, year = (
        her.district_id,
        her.employment_type,
        her.birth_date.year,
    )
    old_phone_hash, old_id_hash = her.phone_hash, her.id_hash

    response = client.post("/my/data/delete/", {"confirm": "on"})

    her.refresh_from_db()
    assert response.status_code == 302
    assert her.full_name == "已删除"
    assert her.anonymised_at is not None
    assert her.phone_hash != old_phone_hash
    assert her.id_hash != old_id_hash
    assert her.phone.startswith("deleted-")
    assert her.id_number.startswith("deleted-")
    assert (her.district_id, her.employment_type) == (district, employment)
    assert (her.birth_date.year, her.birth_date.month, her.birth_date.day) == (
        year,
        1,
        1,
    )
    assert her.employer == ""
    assert not ParticipantToken.objects.filter(participant=her).exists()
    assert all(
        row.recipient_phone == "" and row.status != Status.PENDING
        for row in her_notifications(her)
    )
    assert her.deletion_requests.get().status == DeletionStatus.DONE
    event = AuditEvent.objects.get(action="participant.anonymised")
    assert (event.actor_id, event.details["initiator"]) == (None, "self")
    assert client.get(DATA).status_code == 302


def test_deletion_under_a_legal_hold_waits_until_follow_up_ends(
    her: Participant,
) -> None:
    appointment = _booked(her)
    visit = visit_with_result(
        her, appointment.campaign, follow_up_status=FollowUpStatus.OPEN
    )

    request = participant_anonymise(participant=her, reason="self_request")

    her.refresh_from_db()
    assert request.status == DeletionStatus.HELD
    assert her.anonymised_at is None
    assert not ParticipantToken.objects.filter(participant=her).exists()

    visit.follow_up.status = FollowUpStatus.CLOSED
    visit.follow_up.save()
    purge_expired()

    her.refresh_from_db()
    request.refresh_from_db()
    assert request.status == DeletionStatus.DONE
    assert her.full_name == "已删除"
    assert Result.objects.get(visit=visit).value == "HPV_16_18_POS"
    assert Result.objects.get(visit=visit).notes == ""


def test_an_anonymised_phone_cannot_sign_in_to_her_old_record(
    her: Participant,
) -> None:
    phone = her.phone
    participant_anonymise(participant=her, reason="self_request")

    assert not Participant.objects.filter(
        phone_hash=keyed_hash(phone, purpose="phone")
    ).exists()
