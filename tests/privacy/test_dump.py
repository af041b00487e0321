"""A copy of the database (a backup, a dump taken by an intruder) holds no raw
ID number and no raw phone number anywhere."""

import re
import subprocess

import pytest
from django.conf import settings

from screening.otp import otp_request
from tests.notifications.factories import NotificationFactory
from tests.privacy.support import sign_in_page
from tests.scheduling.factories import AppointmentFactory
from tests.screening.factories import ParticipantFactory, bearer_token

PHONES = ["13812345678", "15987654321", "18600001111"]


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_contains_no_id_number_and_no_phone_number(client) -> None:  # type: ignore[no-untyped-def]
    participants = [ParticipantFactory(phone=phone) for phone in PHONES]
    for participant in participants:
        AppointmentFactory(participant=participant)
        bearer_token(phone=participant.phone, participant=participant)
        NotificationFactory(recipient_phone=participant.phone)
    otp_request(phone_raw="13700002222", ip="10.1.1.1")
    sign_in_page(client, participants[0])
    client.get("/my/data/")
    db = settings.DATABASES["default"]

    dump = subprocess.run(
        ["pg_dump", "-h", "127.0.0.1", "-U", db["USER"] or "root", db["NAME"]],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout

    assert "COPY public.screening_participant" in dump
    secrets_ = [*PHONES, "13700002222"]
    secrets_ += [participant.id_number for participant in participants]
    for value in secrets_:
        assert value not in dump
        # Nor split by a separator, as a formatted number would be.
        spaced = r"[\s\-]?".join(re.escape(char) for char in value)
        assert not re.search(spaced, dump)
