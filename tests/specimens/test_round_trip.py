"""The whole loop through the HTTP API and the pages, with a real Celery worker
on the real Redis: check in → her tubes and labels → dispatch → the lab's CSV by
barcode → her summary → her result page; and a rejected tube → one
recollection message → a new tube."""

import importlib
import time
from collections.abc import Callable

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from notifications.models import Notification
from screening.models import ResultImport, ResultSummary, Visit
from specimens.models import Recollection, Specimen, SpecimenStatus
from tests.privacy.support import sign_in_page
from tests.scheduling.desk_support import booked_today, clinic_user, token_client
from tests.scheduling.factories import ConsentedParticipantFactory, SiteFactory

pytestmark = [pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 30


def wait_for(condition: Callable[[], object], what: str) -> object:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"the worker never got there: {what}")


def upload(api, text: str, name: str = "lab.csv") -> int:  # type: ignore[no-untyped-def]
    response = api.post(
        "/api/v1/clinic/result-imports/",
        {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")},
        format="multipart",
    )
    assert response.status_code == 202, response.json()
    import_id = response.json()["id"]
    wait_for(
        lambda: ResultImport.objects.filter(pk=import_id, status="done").exists(),
        "the import ran",
    )
    return import_id


def checked_in_with_tubes(api, desk: Client, site) -> tuple[Visit, list[Specimen]]:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site, participant=ConsentedParticipantFactory())
    response = api.post(
        "/api/v1/clinic/checkins/", {"reference": appointment.reference}, format="json"
    )
    assert response.status_code == 200, response.json()
    page = reverse("specimens-visit", args=[appointment.pk])
    assert desk.post(page, {"collect": "1"}).status_code == 302
    visit = Visit.objects.get(appointment_id=appointment.pk)
    tubes = sorted(Specimen.objects.filter(visit=visit), key=lambda s: s.kind != "hpv")
    labels = desk.get(reverse("specimens-labels", args=[appointment.pk]))
    assert labels.status_code == 200
    for tube in tubes:
        assert tube.barcode in labels.content.decode()
    return visit, tubes


@pytest.fixture(autouse=True)
def _result_rules(transactional_db: None) -> None:
    """The seeded result codes and summary rules, which an earlier
    transactional test's flush removes."""
    seed = importlib.import_module(
        "screening.migrations.0006_seed_result_codes_and_rules"
    ).seed
    seed(apps, None)


@pytest.fixture
def desk_and_api():  # type: ignore[no-untyped-def]
    site = SiteFactory()
    nurse = clinic_user(site)
    desk = Client()
    desk.force_login(nurse)
    return site, desk, token_client(nurse)


def test_her_tubes_go_to_the_lab_and_come_back_as_her_result_page(
    desk_and_api, celery_worker_thread, settings
):
    settings.RESULT_REVIEW_MINUTES = 0
    site, desk, api = desk_and_api
    visit, (hpv, cytology) = checked_in_with_tubes(api, desk, site)
    dispatched = desk.post(reverse("specimens-manifests"), {"site": str(site.pk)})
    assert dispatched.status_code == 302
    assert set(Specimen.objects.values_list("status", flat=True)) == {"dispatched"}

    upload(
        api,
        "条码号,结果,HPV分型,接收时间\n"
        f"{hpv.barcode},,16,\n"
        f"{cytology.barcode},NILM,,\n",
    )

    summary = wait_for(
        lambda: ResultSummary.objects.filter(visit=visit).first(), "her summary"
    )
    assert summary.follow_up_due_on is not None
    cervix = [organ for organ in summary.organs if organ.get("organ") == "cervix"]
    assert len(cervix) == 1
    hpv.refresh_from_db()
    assert (hpv.status, hpv.hpv_types) == (SpecimenStatus.RESULTED, [16])
    her = Client()
    sign_in_page(her, visit.participant)
    page = her.get(reverse("my_results")).content.decode()
    assert summary.get_conclusion_display() in page
    # One "your result is ready" message in the outbox (sent by beat when due),
    # saying nothing of the result.
    ready = Notification.objects.get(kind="result_ready")
    assert ready.dedupe_key.startswith(f"visit:{visit.pk}:")


def test_a_tube_the_lab_rejects_asks_her_back_once_and_her_new_tube_is_a_new_one(
    desk_and_api, celery_worker_thread
):
    site, desk, api = desk_and_api
    visit, (hpv, _cytology) = checked_in_with_tubes(api, desk, site)
    rejection = f"barcode,rejection\n{hpv.barcode},leaked\n"

    upload(api, rejection)
    upload(api, rejection, name="again.csv")
    upload(api, rejection.replace("leaked", "渗漏"), name="zh.csv")

    # One message in the outbox, whichever file said it first; when it leaves
    # depends on her quiet hours, not on this test.
    asked = Notification.objects.filter(kind="recollection")
    assert asked.count() == 1
    assert asked.get().status in {"pending", "queued", "sending", "sent"}
    recollection = Recollection.objects.get(specimen=hpv)
    assert (
        desk.post(
            reverse("specimens-visit", args=[visit.appointment_id]), {"collect": "1"}
        ).status_code
        == 302
    )
    recollection.refresh_from_db()
    assert recollection.new_specimen is not None
    assert recollection.new_specimen.barcode != hpv.barcode
    assert recollection.closed_at is not None
