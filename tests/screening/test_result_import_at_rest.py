"""What is kept of an uploaded lab CSV: a keyed hash, sealed row errors without
note text, and the file itself (sealed) only until its run ends."""

import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from screening.models import ImportStatus, ResultImport
from screening.privacy import participant_anonymise
from screening.retention import purge_expired
from screening.services import result_import_create
from screening.tasks import result_import_run_task
from tests.screening.result_factories import VisitFactory, staff_user

pytestmark = pytest.mark.django_db

NOTE = "患者自述左乳肿块三月"


def upload(content: bytes, by) -> ResultImport:  # type: ignore[no-untyped-def]
    return result_import_create(
        uploaded_file=SimpleUploadedFile("王秀兰.csv", content), by=by
    )


def raw_columns(import_id: int) -> dict[str, str]:
    """The row as a copy of the database holds it, every column as text."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT row_to_json(r)::text FROM screening_resultimport r WHERE id = %s",
            [import_id],
        )
        return {"row": cursor.fetchone()[0]}


def lab_file(reference: str) -> bytes:
    return (
        "reference,test,value,notes\n"
        f"{reference},hpv,HPV_NEG,{NOTE}\n"
        f"{reference},cytology,NOT_A_CODE,{NOTE}\n"
        f"{reference},cbe,CBE_NORMAL,{NOTE * 250}\n"
    ).encode()


def test_a_waiting_upload_keeps_its_file_name_and_notes_sealed_and_no_plain_hash():
    visit = VisitFactory()
    content = lab_file(visit.reference)
    waiting = upload(content, staff_user())

    stored = raw_columns(waiting.pk)["row"]
    assert NOTE not in stored
    assert visit.reference not in stored
    assert "王秀兰" not in stored
    assert hashlib.sha256(content).hexdigest() not in stored
    # The worker still reads it back whole.
    assert ResultImport.objects.get(pk=waiting.pk).content == content


def test_the_file_is_erased_when_its_run_ends_and_row_errors_hold_no_note_text():
    visit = VisitFactory()
    result_import = upload(lab_file(visit.reference), staff_user())

    result_import_run_task(result_import.pk)

    done = ResultImport.objects.get(pk=result_import.pk)
    assert done.status == ImportStatus.DONE
    assert done.content is None
    assert [(e["row"], e["field"]) for e in done.errors] == [(3, "value"), (4, "notes")]
    assert all(NOTE not in str(error) for error in done.errors)
    stored = raw_columns(done.pk)["row"]
    assert NOTE not in stored
    assert "NOT_A_CODE" not in stored


def test_a_failed_run_erases_its_file_too():
    result_import = upload(b'reference,test,value\n"unclosed,hpv,x\n', staff_user())
    ResultImport.objects.filter(pk=result_import.pk).update(content=b"\x89PNG....")

    result_import_run_task(result_import.pk)

    failed = ResultImport.objects.get(pk=result_import.pk)
    assert failed.status == ImportStatus.FAILED
    assert failed.content is None


def test_retention_erases_a_stuck_file_and_old_row_errors_and_keeps_the_counts():
    visit = VisitFactory()
    stuck = upload(lab_file(visit.reference), staff_user("stuck"))
    ResultImport.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    other = VisitFactory()
    old = upload(lab_file(other.reference), staff_user("old"))
    result_import_run_task(old.pk)
    ResultImport.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - timedelta(days=31)
    )

    counts = purge_expired()

    assert (counts.import_files_erased, counts.import_errors_erased) == (1, 1)
    stuck.refresh_from_db()
    assert (stuck.status, stuck.content) == (ImportStatus.FAILED, None)
    old.refresh_from_db()
    assert (old.errors, old.error_count, old.recorded) == ([], 2, 1)
    assert purge_expired().import_errors_erased == 0


def test_her_erasure_drops_every_row_error_that_names_her_reference():
    hers, other = VisitFactory(), VisitFactory()
    content = (
        f"reference,test,value\n{hers.reference},hpv,BAD\n{other.reference},hpv,BAD\n"
    ).encode()
    result_import = upload(content, staff_user())
    result_import_run_task(result_import.pk)

    participant_anonymise(participant=hers.participant, reason="self_request")

    kept = ResultImport.objects.get(pk=result_import.pk).errors
    assert [error["reference"] for error in kept] == [other.reference]


def test_key_rotation_reaches_every_sealed_column_of_an_import():
    from common.management.commands.rotate_keys import rotation_targets

    sealed = {model: columns for model, columns, _ in rotation_targets()}
    assert set(sealed[ResultImport]) == {"filename", "content", "errors"}
