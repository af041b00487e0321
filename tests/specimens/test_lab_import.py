"""The lab import by tube barcode: rows name a tube, carry its genotypes, its
received and resulted times, or its rejection; bad rows come back as row errors
and nothing already saved is lost."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from common.models import AuditEvent
from notifications.models import Notification
from screening.models import ImportStatus, Result, ResultImport
from screening.services import result_import_create
from screening.tasks import result_import_run_task
from specimens.models import Recollection, Specimen, SpecimenStatus
from tests.screening.result_factories import VisitFactory, staff_user
from tests.specimens.factories import collected

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(
        "notifications.services.handover.enqueue_send", lambda _pk: None
    )


def run(text: str, by=None, site_ids=None) -> ResultImport:  # type: ignore[no-untyped-def]
    by = by or User.objects.filter(username="desk").first() or staff_user()
    upload = result_import_create(
        uploaded_file=SimpleUploadedFile("lab.csv", text.encode(), "text/csv"),
        by=by,
        site_ids=site_ids,
    )
    result_import_run_task(upload.pk)
    return ResultImport.objects.get(pk=upload.pk)


def errors(done: ResultImport) -> list[tuple[int, str]]:
    return [(error["row"], error["field"]) for error in done.errors]


def test_rows_by_barcode_result_her_tubes_with_genotypes_and_the_labs_times():
    hpv, cytology = collected()
    done = run(
        "条码号,结果,HPV分型,接收时间,报告时间\n"
        f"{hpv.barcode},,16;52,{timezone.localtime():%Y-%m-%d} 00:00,\n"
        f"{cytology.barcode.lower()},NILM,,,\n"
    )
    assert done.status == ImportStatus.DONE
    assert (done.recorded, done.errors) == (2, [])
    hpv.refresh_from_db()
    cytology.refresh_from_db()
    assert (hpv.status, hpv.hpv_types) == (SpecimenStatus.RESULTED, [16, 52])
    assert hpv.received_at is not None
    assert hpv.resulted_at is not None
    assert cytology.status == SpecimenStatus.RESULTED
    values = dict(
        Result.objects.filter(visit_id=hpv.visit_id, is_current=True).values_list(
            "test", "value"
        )
    )
    assert values == {"hpv": "HPV_16_18_POS", "cytology": "NILM"}
    moved = AuditEvent.objects.get(action="specimens.moved_by_import")
    assert sorted(moved.details["resulted"]) == sorted([hpv.pk, cytology.pk])


def test_a_received_time_alone_books_the_tube_in():
    hpv, _cytology = collected()
    done = run(f"barcode,received_at\n{hpv.barcode},{timezone.localtime():%Y-%m-%d}\n")
    hpv.refresh_from_db()
    assert done.errors == []
    assert hpv.status == SpecimenStatus.RECEIVED
    assert not Result.objects.exists()


def test_a_rejected_row_rejects_the_tube_and_asks_her_back_once():
    hpv, _cytology = collected()
    text = f"barcode,value,rejection\n{hpv.barcode},,渗漏\n"
    first = run(text)
    again = run(text, by=staff_user("other"))
    hpv.refresh_from_db()
    assert (first.errors, again.errors) == ([], [])
    assert (hpv.status, hpv.rejection_reason) == ("rejected", "leaked")
    assert Recollection.objects.filter(specimen=hpv).count() == 1
    assert Notification.objects.filter(kind="recollection").count() == 1


def test_a_reference_row_still_works_and_results_her_live_tube():
    hpv, _cytology = collected()
    reference = hpv.visit.reference
    done = run(f"reference,test,value,hpv_types\n{reference},hpv,HPV_OTHER_POS,31\n")
    hpv.refresh_from_db()
    assert done.errors == []
    assert (hpv.status, hpv.hpv_types) == (SpecimenStatus.RESULTED, [31])


def test_another_sites_barcode_reads_as_unknown_and_is_not_touched():
    hpv, _cytology = collected(VisitFactory(site_id=2))
    done = run(f"barcode,value\n{hpv.barcode},HPV_NEG\n", site_ids=[1])
    hpv.refresh_from_db()
    assert errors(done) == [(2, "barcode")]
    assert hpv.barcode in done.errors[0]["message"]
    assert hpv.status == SpecimenStatus.COLLECTED


def test_bad_rows_come_back_as_row_errors_and_good_rows_are_kept():
    hpv, cytology = collected()
    other_hpv, _ = collected()
    run(f"barcode,value\n{other_hpv.barcode},HPV_NEG\n")
    done = run(
        "barcode,test,value,hpv_types,received_at\n"
        f"{hpv.barcode},,HPV_OTHER_POS,31;99,\n"  # 2: a type outside the 14
        "SNOSUCHTUBE,,HPV_NEG,,\n"  # 3: unknown barcode
        f"{other_hpv.barcode},,HPV_OTHER_POS,52,\n"  # 4: resulted again, another value
        f"{cytology.barcode},hpv,HPV_NEG,,\n"  # 5: a cytology tube read as hrHPV
        f"{cytology.barcode},,NILM,,\n"  # 6: the same tube twice
        f"{hpv.barcode.lower()},,HPV_16_18_POS,31,\n"  # 7: types against the code
    )
    assert errors(done) == [
        (2, "hpv_types"),
        (3, "barcode"),
        (4, "value"),
        (5, "test"),
        (6, "barcode"),
        (7, "hpv_types"),
    ]
    other_hpv.refresh_from_db()
    assert other_hpv.status == SpecimenStatus.RESULTED
    assert (
        Result.objects.get(visit_id=other_hpv.visit_id, test="hpv").value == "HPV_NEG"
    )
    assert Result.objects.filter(test="hpv", visit_id=hpv.visit_id).count() == 0


def test_times_that_cannot_be_the_labs_are_refused():
    hpv, cytology = collected()
    tomorrow = timezone.localtime() + timedelta(days=2)
    done = run(
        "barcode,value,received_at,resulted_at\n"
        f"{hpv.barcode},HPV_NEG,yesterday,\n"
        f"{cytology.barcode},NILM,,{tomorrow:%Y-%m-%d %H:%M}\n"
    )
    assert errors(done) == [(2, "received_at"), (3, "resulted_at")]
    assert Specimen.objects.filter(status=SpecimenStatus.COLLECTED).count() == 2


def test_a_rejection_with_a_result_or_of_a_resulted_tube_is_refused():
    hpv, cytology = collected()
    run(f"barcode,value\n{cytology.barcode},NILM\n")
    done = run(
        "barcode,value,rejection\n"
        f"{hpv.barcode},HPV_NEG,leaked\n"
        f"{cytology.barcode},,expired\n"
        f"{hpv.barcode[:-1]}X,,broken\n"
    )
    assert errors(done)[:2] == [(2, "rejection"), (3, "rejection")]
    assert not Recollection.objects.exists()


def test_a_rejected_tube_takes_no_result_her_new_tube_does():
    hpv, _cytology = collected()
    run(f"barcode,rejection\n{hpv.barcode},insufficient\n")
    done = run(f"barcode,value\n{hpv.barcode},HPV_NEG\n")
    assert errors(done) == [(2, "barcode")]
    assert hpv.barcode in done.errors[0]["message"]


def test_the_same_file_from_another_desk_changes_nothing_and_refuses_nothing():
    hpv, _cytology = collected()
    text = f"barcode,value,hpv_types\n{hpv.barcode},HPV_OTHER_POS,58\n"
    run(text)
    again = run(text, by=staff_user("other"))
    assert (again.errors, again.recorded) == ([], 1)
    assert Result.objects.filter(visit_id=hpv.visit_id).count() == 1
