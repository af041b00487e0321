"""Clinical history at sampling: she fills it on her phone, the nurse confirms
it at the desk; sealed at rest, every staff read audited, wording editable."""

import pytest
from django.db import connection
from django.urls import reverse

from common.models import AuditEvent
from specimens.history.models import ClinicalHistory, HistoryQuestion
from tests.privacy.support import sign_in_page
from tests.screening.result_factories import VisitFactory, staff_user
from tests.specimens.history_support import seed_questions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _questions() -> None:
    seed_questions()


HER_ANSWERS = {"lmp": "2026-11-20", "pregnant": "no", "iud": "yes"}


@pytest.fixture
def scope(monkeypatch):
    monkeypatch.setattr("specimens.history.views.allowed_site_ids", lambda user: [1])


def _her(client, visit):  # type: ignore[no-untyped-def]
    sign_in_page(client, visit.participant)
    return reverse("my_history", args=[visit.campaign_id])


def test_she_fills_her_history_on_her_phone_and_it_is_sealed_at_rest(client):
    visit = VisitFactory(site_id=1)
    url = _her(client, visit)
    page = client.get(url)
    assert page.status_code == 200
    assert "是否放置了宫内节育器" in page.content.decode()
    response = client.post(url, HER_ANSWERS)
    assert response.status_code == 302
    history = ClinicalHistory.objects.get()
    assert {e["key"]: e["answer"] for e in history.answers} == HER_ANSWERS
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM specimens_clinicalhistory")
        raw = cursor.fetchone()[0]
    assert "iud" not in raw
    assert "2026-11-20" not in raw


def test_a_date_in_the_future_is_a_form_error_in_her_language(client):
    visit = VisitFactory(site_id=1)
    response = client.post(_her(client, visit), {"lmp": "2099-01-01"})
    assert response.status_code == 400
    assert "日期" in response.content.decode()
    assert not ClinicalHistory.objects.exists()


def test_she_must_be_signed_in(client):
    visit = VisitFactory(site_id=1)
    response = client.get(reverse("my_history", args=[visit.campaign_id]))
    assert response.status_code == 302
    assert "signin" in response["Location"]


def test_the_nurse_confirms_her_answers_in_one_press_and_the_read_is_audited(
    client, scope
):
    visit = VisitFactory(site_id=1)
    client.post(_her(client, visit), HER_ANSWERS)
    nurse = staff_user("nurse")
    client.force_login(nurse)
    url = reverse("specimens-history", args=[visit.appointment_id])
    page = client.get(url).content.decode()
    assert 'value="yes" required' not in page
    assert visit.participant.full_name not in page
    assert AuditEvent.objects.filter(action="history.viewed", actor=nurse).exists()
    response = client.post(url, {**HER_ANSWERS, "pregnant": "unsure"})
    assert response.status_code == 302
    history = ClinicalHistory.objects.get()
    assert (history.confirmed_by, history.visit) == (nurse, visit)
    confirmed = AuditEvent.objects.get(action="history.confirmed")
    assert confirmed.details["changed"] == ["pregnant"]


def test_once_confirmed_her_phone_no_longer_changes_it(client, scope):
    visit = VisitFactory(site_id=1)
    url = _her(client, visit)
    client.post(url, HER_ANSWERS)
    staff = client.session.session_key
    client.force_login(staff_user("nurse"))
    client.post(reverse("specimens-history", args=[visit.appointment_id]), HER_ANSWERS)
    assert staff
    client.logout()
    url = _her(client, visit)
    client.post(url, {"pregnant": "yes"})
    answers = {e["key"]: e["answer"] for e in ClinicalHistory.objects.get().answers}
    assert answers["pregnant"] == "no"


def test_another_sites_nurse_is_refused_and_patients_are_kept_out(client, scope):
    visit = VisitFactory(site_id=2)
    client.force_login(staff_user("nurse"))
    url = reverse("specimens-history", args=[visit.appointment_id])
    assert client.get(url).status_code == 403
    client.force_login(staff_user("union", role="union"))
    assert client.get(url).status_code == 403


def test_an_admin_edits_the_wording_and_her_form_reads_it(client):
    question = HistoryQuestion.objects.get(key="iud")
    question.text_zh = "是否正在使用宫内节育器?"
    question.save()
    visit = VisitFactory(site_id=1)
    page = client.get(_her(client, visit)).content.decode()
    assert "是否正在使用宫内节育器?" in page


def test_her_booking_page_links_to_her_questions(client):
    from tests.scheduling.factories import AppointmentFactory

    appointment = AppointmentFactory()
    sign_in_page(client, appointment.participant)
    page = client.get(reverse("appointment", args=[appointment.pk])).content.decode()
    assert reverse("my_history", args=[appointment.campaign_id]) in page


def test_a_program_admin_rewords_a_question_in_the_admin_but_sees_no_answers(client):
    from tests.accounts.factories import program_admin

    question = HistoryQuestion.objects.get(key="iud")
    client.force_login(program_admin())
    url = f"/admin/specimens/historyquestion/{question.pk}/change/"
    response = client.post(
        url,
        {
            "text_zh": "是否正在使用宫内节育器?",
            "text_en": "Do you use an IUD?",
            "answer_kind": "yes_no",
            "position": question.position,
            "active": "on",
        },
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text_zh == "是否正在使用宫内节育器?"
    assert client.get("/admin/specimens/clinicalhistory/").status_code == 403
