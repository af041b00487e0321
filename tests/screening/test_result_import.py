import hashlib
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from screening.errors import ResultImportInvalid, ResultImportNotFound
from screening.models import ImportStatus, Result, ResultImport, ResultSource
from screening.selectors import result_import_get
from screening.services import result_import_create
from screening.tasks import result_import_run_task
from tests.screening.result_factories import VisitFactory, staff_user

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


def upload(content: bytes, by, name: str = "lab.csv") -> ResultImport:  # type: ignore[no-untyped-def]
    return result_import_create(
        uploaded_file=SimpleUploadedFile(name, content, content_type="text/csv"),
        by=by,
    )


def run(result_import: ResultImport) -> ResultImport:
    result_import_run_task(result_import.pk)
    return ResultImport.objects.get(pk=result_import.pk)


def test_a_clean_file_records_every_row_through_the_result_path():
    desk = staff_user()
    first, second = VisitFactory(), VisitFactory()
    content = (
        "reference,test,value,notes\n"
        f"{first.reference},hpv,HPV_NEG,\n"
        f"{first.reference},cytology,NILM,\n"
        f"{second.reference.lower()},breast_ultrasound,birads-3,复查\n"
    ).encode()
    done = run(upload(content, desk))
    assert done.status == ImportStatus.DONE
    assert (done.total, done.processed, done.recorded, done.errors) == (3, 3, 3, [])
    results = Result.objects.filter(is_current=True)
    assert results.count() == 3
    assert {r.source for r in results} == {ResultSource.IMPORT}
    assert {r.recorded_by for r in results} == {desk}
    assert Result.objects.get(visit=second).notes == "复查"


def test_bad_rows_are_reported_by_row_and_column_and_good_rows_are_kept():
    desk = staff_user()
    visit = VisitFactory()
    undone = VisitFactory(undone_at=timezone.now())
    content = (
        "reference,test,value,notes\n"
        f"{visit.reference},hpv,HPV_NEG,\n"  # row 2: good
        "ZZZZ9999,hpv,HPV_NEG,\n"  # row 3: no such visit
        f"{visit.reference},cytology,PAP_III,\n"  # row 4: unknown code
        f"{visit.reference},blood,HIGH,\n"  # row 5: unknown test
        f"{visit.reference},hpv,HPV_NEG,\n"  # row 6: duplicate of row 2
        ",cbe,CBE_NORMAL,\n"  # row 7: no reference
        f"{undone.reference},hpv,HPV_NEG,\n"  # row 8: check-in undone
        f"{visit.reference},mammography,BIRADS_1,\n"  # row 9: good
    ).encode()
    done = run(upload(content, desk))
    assert done.status == ImportStatus.DONE
    assert done.recorded == 2
    assert [(e["row"], e["field"]) for e in done.errors] == [
        (3, "reference"),
        (4, "value"),
        (5, "test"),
        (6, "test"),
        (7, "reference"),
        (8, "reference"),
    ]
    assert "ZZZZ9999" in done.errors[0]["message"]
    # The message names the earlier row, in the site's default language (Chinese).
    assert "第2行" in done.errors[3]["message"]
    assert Result.objects.filter(visit=visit, is_current=True).count() == 2
    assert not Result.objects.filter(visit=undone).exists()


def test_a_gbk_file_from_chinese_excel_with_chinese_headers_is_read():
    visit = VisitFactory()
    content = (
        "预约号,检查项目,结果,备注\r\n"
        f"{visit.reference},高危型HPV,HPV_16_18_POS,建议阴道镜\r\n"
        f"{visit.reference},乳腺彩超,BIRADS_2,\r\n"
    ).encode("gbk")
    done = run(upload(content, staff_user()))
    assert done.encoding == "gb18030"
    assert done.recorded == 2
    assert Result.objects.get(visit=visit, test="hpv").notes == "建议阴道镜"


def test_a_utf8_file_with_a_byte_order_mark_is_read():
    visit = VisitFactory()
    content = "\ufeffreference,test,value\n".encode() + (
        f"{visit.reference},cbe,CBE_NORMAL\n".encode()
    )
    done = run(upload(content, staff_user()))
    assert done.encoding == "utf-8-sig"
    assert done.recorded == 1


def test_an_empty_file_is_refused_at_upload():
    with pytest.raises(ResultImportInvalid) as error:
        upload(b"  \n", staff_user())
    assert error.value.code == "empty_file"
    assert error.value.status == 400
    assert not ResultImport.objects.exists()


def test_a_png_uploaded_by_mistake_is_refused_as_not_a_csv():
    with pytest.raises(ResultImportInvalid) as error:
        upload(PNG, staff_user(), name="photo.png")
    assert error.value.code == "not_csv"
    assert "PNG" in str(error.value.detail)


def test_a_file_without_the_columns_is_refused_with_the_column_names():
    with pytest.raises(ResultImportInvalid) as error:
        upload(b"name,phone\nfoo,bar\n", staff_user())
    assert "reference" in str(error.value.detail)


def test_a_stored_file_that_turns_out_unreadable_fails_with_a_message():
    stored = ResultImport.objects.create(
        file_hash=hashlib.sha256(PNG).hexdigest(), size=len(PNG), content=PNG
    )
    done = run(stored)
    assert done.status == ImportStatus.FAILED
    assert "PNG" in done.message


def test_uploading_the_same_file_again_changes_nothing():
    desk = staff_user()
    visit = VisitFactory()
    content = f"reference,test,value\n{visit.reference},hpv,HPV_NEG\n".encode()
    first = run(upload(content, desk))
    again = upload(content, desk)
    run(again)
    assert again.pk == first.pk
    assert ResultImport.objects.count() == 1
    assert Result.objects.count() == 1


def test_running_a_finished_import_again_does_nothing():
    visit = VisitFactory()
    content = f"reference,test,value\n{visit.reference},hpv,HPV_NEG\n".encode()
    result_import = run(upload(content, staff_user()))
    assert result_import_run_task(result_import.pk) is None
    assert Result.objects.count() == 1


def test_a_run_that_died_resumes_after_the_last_committed_row():
    visit = VisitFactory()
    content = (
        "reference,test,value\n"
        f"{visit.reference},hpv,HPV_NEG\n"
        f"{visit.reference},cytology,NILM\n"
    ).encode()
    result_import = upload(content, staff_user())
    ResultImport.objects.filter(pk=result_import.pk).update(
        status=ImportStatus.RUNNING,
        processed=1,
        recorded=1,
        progress_at=timezone.now() - timedelta(hours=1),
    )
    done = run(result_import)
    assert done.status == ImportStatus.DONE
    assert list(Result.objects.values_list("test", flat=True)) == ["cytology"]
    assert done.processed == 2


def test_summaries_are_enqueued_after_each_batch_with_visit_ids_only(
    django_capture_on_commit_callbacks,
):
    visits = [VisitFactory(), VisitFactory()]
    content = "reference,test,value\n" + "".join(
        f"{v.reference},hpv,HPV_NEG\n" for v in visits
    )
    result_import = upload(content.encode(), staff_user())
    with (
        mock.patch("screening.tasks.summary_compute_many_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        run(result_import)
    delay.assert_called_once_with(sorted(v.pk for v in visits))


def test_only_the_uploader_or_an_admin_can_read_an_import():
    desk = staff_user("desk")
    visit = VisitFactory()
    content = f"reference,test,value\n{visit.reference},hpv,HPV_NEG\n".encode()
    result_import = upload(content, desk)
    assert result_import_get(import_id=result_import.pk, by=desk) == result_import
    admin = staff_user("admin", role="admin")
    assert result_import_get(import_id=result_import.pk, by=admin) == result_import
    with pytest.raises(ResultImportNotFound):
        result_import_get(import_id=result_import.pk, by=staff_user("other"))


def test_an_upload_limited_to_some_sites_records_nothing_for_another_sites_visit():
    desk = staff_user()
    own, other = VisitFactory(site_id=1), VisitFactory(site_id=2)
    content = (
        "reference,test,value,notes\n"
        f"{own.reference},hpv,HPV_NEG,\n"
        f"{other.reference},hpv,HPV_NEG,\n"
    ).encode()

    done = run(
        result_import_create(
            uploaded_file=SimpleUploadedFile("lab.csv", content),
            by=desk,
            site_ids=[1],
        )
    )

    assert done.recorded == 1
    assert [(e["row"], e["field"]) for e in done.errors] == [(3, "reference")]
    assert not Result.objects.filter(visit=other).exists()


def test_another_sites_nurse_uploading_the_same_file_gets_her_own_import():
    first_nurse, second_nurse = staff_user("site1"), staff_user("site2")
    at_first, at_second = VisitFactory(site_id=1), VisitFactory(site_id=2)
    content = (
        "reference,test,value\n"
        f"{at_first.reference},hpv,HPV_NEG\n"
        f"{at_second.reference},hpv,HPV_NEG\n"
    ).encode()

    def upload_for(nurse, site_id):  # type: ignore[no-untyped-def]
        return result_import_create(
            uploaded_file=SimpleUploadedFile("lab.csv", content),
            by=nurse,
            site_ids=[site_id],
        )

    first = run(upload_for(first_nurse, 1))
    second = run(upload_for(second_nurse, 2))

    assert second.pk != first.pk
    assert (first.recorded, second.recorded) == (1, 1)
    assert Result.objects.filter(visit=at_second, is_current=True).exists()


def test_the_same_nurse_uploading_the_same_file_for_other_sites_gets_a_new_import():
    nurse = staff_user()
    visit = VisitFactory(site_id=2)
    content = f"reference,test,value\n{visit.reference},hpv,HPV_NEG\n".encode()
    imports = [
        result_import_create(
            uploaded_file=SimpleUploadedFile("lab.csv", content),
            by=nurse,
            site_ids=sites,
        )
        for sites in ([1], [2, 1], [1, 2], None, None)
    ]
    assert len({result_import.pk for result_import in imports}) == 3
    assert imports[1].pk == imports[2].pk
    assert imports[3].pk == imports[4].pk
