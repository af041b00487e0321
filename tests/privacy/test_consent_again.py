"""Withdrawing consent asks first; she can give it again later and book."""

import pytest
from django.test import Client

from scheduling.models import AppointmentStatus
from screening.consent import HEALTH_DATA_CONSENT_VERSION
from screening.consent_again import participant_consent_again
from screening.errors import ConsentNotPossible
from screening.models import Consent, ConsentPurpose, Participant
from screening.privacy import participant_anonymise, participant_withdraw_consent
from tests.privacy.support import sign_in_page
from tests.scheduling.factories import AppointmentFactory, ConsentedParticipantFactory

pytestmark = pytest.mark.django_db

WITHDRAW = "/my/data/withdraw/"
CONSENT = "/my/data/consent/"


def _live(participant: Participant) -> bool:
    return Consent.objects.filter(
        participant=participant,
        purpose=ConsentPurpose.HEALTH_DATA,
        withdrawn_at__isnull=True,
    ).exists()


def _booked(participant: Participant):  # type: ignore[no-untyped-def]
    """A booking whose place is counted in its slot, as booking would leave it."""
    appointment = AppointmentFactory(participant=participant)
    appointment.slot.booked = 1
    appointment.slot.save(update_fields=["booked"])
    return appointment


@pytest.fixture
def her() -> Participant:
    return ConsentedParticipantFactory(full_name="李秀英")


def test_the_withdraw_button_asks_first_and_names_the_bookings_it_cancels(
    client: Client, her: Participant
) -> None:
    appointment = _booked(her)
    sign_in_page(client, her)

    asked = client.get(WITHDRAW)
    unconfirmed = client.post(WITHDRAW, {"withdraw": "1"})

    page = asked.content.decode()
    assert asked.status_code == 200
    assert "确定撤回我的同意" in page
    assert appointment.reference in page
    assert unconfirmed.status_code == 200
    assert _live(her)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_confirming_withdraws_and_offers_consent_again(
    client: Client, her: Participant
) -> None:
    _booked(her)
    sign_in_page(client, her)

    done = client.post(WITHDRAW, {"confirm": "on"})
    page = client.get("/my/data/").content.decode()

    assert done["Location"] == "/my/data/"
    assert not _live(her)
    assert "重新同意处理我的健康信息" in page
    assert HEALTH_DATA_CONSENT_VERSION in page


def test_consent_given_again_is_a_new_consent_to_the_current_text_and_she_can_book(
    client: Client, her: Participant
) -> None:
    participant_withdraw_consent(participant=her)
    sign_in_page(client, her)

    again = client.post(CONSENT)

    assert again["Location"] == "/my/"
    consents = Consent.objects.filter(participant=her).order_by("given_at", "id")
    assert [c.withdrawn_at is None for c in consents] == [False, True]
    assert consents[1].text_version == HEALTH_DATA_CONSENT_VERSION
    assert "撤回我的同意" in client.get("/my/data/").content.decode()


def test_consenting_again_twice_keeps_one_live_consent(her: Participant) -> None:
    participant_withdraw_consent(participant=her)

    first = participant_consent_again(participant=her)
    second = participant_consent_again(participant=her)

    assert first.pk == second.pk
    assert _live(her)
    assert Consent.objects.filter(participant=her).count() == 2


def test_a_deleted_record_cannot_consent_again(her: Participant) -> None:
    participant_anonymise(participant=her, reason="self_request")
    her.refresh_from_db()

    with pytest.raises(ConsentNotPossible):
        participant_consent_again(participant=her)


def test_consent_pages_need_her_signed_in(client: Client) -> None:
    assert client.get(WITHDRAW)["Location"] == "/signin/"
    assert client.post(CONSENT)["Location"] == "/signin/"
    assert client.get(CONSENT).status_code == 405


def test_with_no_consent_in_force_the_withdraw_page_sends_her_back(
    client: Client, her: Participant
) -> None:
    participant_withdraw_consent(participant=her)
    sign_in_page(client, her)

    assert client.get(WITHDRAW)["Location"] == "/my/data/"
