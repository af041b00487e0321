"""The desk's lab import pages: format help, a template to fill in, a summary
once the import has run, and status words in the desk's language."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from screening.models import ResultImport
from screening.tasks import result_import_run_task
from tests.scheduling.desk_support import clinic_user
from tests.scheduling.factories import SiteFactory
from tests.screening.result_factories import VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():  # type: ignore[no-untyped-def]
    return SiteFactory(name="焦作市妇幼保健院")


@pytest.fixture
def desk(client, site):  # type: ignore[no-untyped-def]
    client.force_login(clinic_user(site))
    return client


def upload(desk, site, content: bytes):  # type: ignore[no-untyped-def]
    response = desk.post(
        f"/desk/imports/?site={site.pk}",
        {"file": SimpleUploadedFile("lab.csv", content, "text/csv")},
    )
    assert response.status_code == 302, response.content.decode()
    return response["Location"]


def test_the_upload_page_explains_every_column_in_chinese_and_links_the_template(
    desk, site
):  # type: ignore[no-untyped-def]
    page = desk.get(f"/desk/imports/?site={site.pk}").content.decode()

    for column in ("预约号", "检查项目", "结果", "备注"):
        assert f"<code>{column}</code>" in page
    assert "必填" in page
    assert "HPV_16_18_POS" in page
    assert "GBK" in page
    assert f'href="/desk/imports/template.csv?site={site.pk}"' in page


def test_the_template_is_a_csv_excel_opens_and_the_import_reads_back(desk, site):  # type: ignore[no-untyped-def]
    response = desk.get(f"/desk/imports/template.csv?site={site.pk}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == ["预约号", "检查项目", "结果", "备注"]
    visit = VisitFactory(site_id=site.pk)
    filled = response.content + f"{visit.reference},hpv,HPV_NEG,\r\n".encode()
    location = upload(desk, site, filled)
    result_import_run_task(ResultImport.objects.get().pk)
    assert "已记录 1 行" in desk.get(location).content.decode()


def test_a_finished_import_says_what_was_recorded_and_why_rows_were_refused(desk, site):  # type: ignore[no-untyped-def]
    visit = VisitFactory(site_id=site.pk)
    location = upload(
        desk,
        site,
        (
            "reference,test,value\n"
            f"{visit.reference},hpv,HPV_NEG\n"
            f"{visit.reference},cytology,NILM\n"
            "ZZZZ9999,hpv,HPV_NEG\n"
            f"{visit.reference},cbe,NOT_A_CODE\n"
        ).encode(),
    )
    result_import_run_task(ResultImport.objects.get().pk)

    page = desk.get(location).content.decode()

    assert "已完成" in page
    assert ">done<" not in page
    assert "已记录 2 行" in page
    assert "未记录 2 行" in page
    assert "ZZZZ9999" in page
    # The refused rows are counted by the column at fault, named in Chinese.
    assert "预约号:1 行" in page
    assert "结果:1 行" in page


def test_a_waiting_import_shows_its_status_in_chinese(desk, site):  # type: ignore[no-untyped-def]
    location = upload(desk, site, b"reference,test,value\nABCDEFGH,hpv,HPV_NEG\n")

    page = desk.get(location).content.decode()

    assert "等待中" in page
    assert ">pending<" not in page


def test_a_failed_import_shows_why(desk, site):  # type: ignore[no-untyped-def]
    location = upload(desk, site, b"reference,test,value\nABCDEFGH,hpv,HPV_NEG\n")
    stored = ResultImport.objects.get()
    ResultImport.objects.filter(pk=stored.pk).update(content=b"\x89PNG\r\n")
    result_import_run_task(stored.pk)

    page = desk.get(location).content.decode()

    assert "失败" in page
    assert "PNG" in page


def test_the_import_api_keeps_its_row_error_shape(desk, site):  # type: ignore[no-untyped-def]
    upload(desk, site, b"reference,test,value\nZZZZ9999,hpv,HPV_NEG\n")
    stored = ResultImport.objects.get()
    result_import_run_task(stored.pk)

    body = desk.get(f"/api/v1/clinic/result-imports/{stored.pk}/").json()

    assert body["status"] == "done"
    assert [set(error) for error in body["errors"]] == [{"row", "field", "message"}]
