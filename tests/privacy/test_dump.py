"""A copy of the database (a backup, a dump taken by an intruder) holds no raw
ID number, no raw phone number and no clinical note anywhere."""

import re
import subprocess

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from screening.otp import otp_request
from screening.services import result_import_create
from screening.tasks import result_import_run_task
from tests.notifications.factories import NotificationFactory
from tests.privacy.support import sign_in_page
from tests.scheduling.factories import AppointmentFactory
from tests.screening.factories import ParticipantFactory, bearer_token
from tests.screening.result_factories import VisitFactory, staff_user

PHONES = ["13812345678", "15987654321", "18600001111"]
NOTES = ["左乳外上象限可触及肿块", "建议阴道镜活检复查"]


def lab_uploads(participant) -> None:  # type: ignore[no-untyped-def]
    """One lab file recorded, one still waiting for its run, both with notes."""
    desk = staff_user("lab-desk")
    visit = VisitFactory(participant=participant)
    for note, test, run in ((NOTES[0], "cbe", True), (NOTES[1], "hpv", False)):
        content = f"reference,test,value,notes\n{visit.reference},{test},X,{note}\n"
        content += f"{visit.reference},cytology,NILM,{note}\n"
        result_import = result_import_create(
            uploaded_file=SimpleUploadedFile(f"{note}.csv", content.encode()),
            by=desk,
        )
        if run:
            result_import_run_task(result_import.pk)


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_contains_no_id_number_phone_number_or_note(client) -> None:  # type: ignore[no-untyped-def]
    participants = [ParticipantFactory(phone=phone) for phone in PHONES]
    for participant in participants:
        AppointmentFactory(participant=participant)
        bearer_token(phone=participant.phone, participant=participant)
        NotificationFactory(recipient_phone=participant.phone)
    otp_request(phone_raw="13700002222", ip="10.1.1.1")
    lab_uploads(participants[1])
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
    assert "COPY public.screening_resultimport" in dump
    secrets_ = [*PHONES, "13700002222", *NOTES]
    secrets_ += [participant.id_number for participant in participants]
    for value in secrets_:
        assert value not in dump
        # Nor split by a separator, as a formatted number would be.
        spaced = r"[\s\-]?".join(re.escape(char) for char in value)
        assert not re.search(spaced, dump)
