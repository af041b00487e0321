from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from screening.services import summary_compute
from tests.screening.factories import ParticipantFactory, bearer_token
from tests.screening.result_factories import VisitFactory, record

pytestmark = pytest.mark.django_db

URL = "/api/v1/results/"


def client_for(participant) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    token = bearer_token(phone=participant.phone, participant=participant)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def screened(participant, day: date, **tests: str):  # type: ignore[no-untyped-def]
    visit = VisitFactory(participant=participant, day=day, site_name="第一院区")
    record(visit, **tests)
    summary_compute(visit_id=visit.pk)
    return visit


def test_she_sees_her_results_in_the_documented_shape():
    woman = ParticipantFactory()
    screened(woman, date(2030, 3, 1), hpv="HPV_OTHER_POS", cytology="NILM")

    response = client_for(woman).get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    (entry,) = response.json()
    assert entry == {
        "visit_date": "2030-03-01",
        "site": "第一院区",
        "tests": [
            {"test": "hpv", "value": "HPV_OTHER_POS"},
            {"test": "cytology", "value": "NILM"},
        ],
        "conclusion": "RECALL",
        "follow_up": {"action": "约12个月后复查HPV", "due_on": "2031-03-01"},
        "text": entry["text"],
        "organs": [
            {
                "organ": "cervix",
                "label": "宫颈",
                "conclusion": "RECALL",
                "urgent": False,
                "paragraphs": [entry["text"]],
                "steps": [
                    {
                        "action": "约12个月后复查HPV",
                        "due_on": "2031-03-01",
                        "urgent": False,
                    }
                ],
            }
        ],
    }
    assert "不等于得了宫颈癌" in entry["text"]


def test_the_text_follows_her_language():
    woman = ParticipantFactory()
    screened(woman, date(2030, 3, 1), breast_ultrasound="BIRADS_3")
    (entry,) = client_for(woman).get(URL, HTTP_ACCEPT_LANGUAGE="en").json()
    assert entry["follow_up"]["action"] == "Repeat imaging in 6 months"
    assert "probably benign" in entry["text"]


def test_she_never_sees_another_womans_results():
    woman, other = ParticipantFactory(), ParticipantFactory()
    screened(other, date(2030, 3, 1), hpv="HPV_16_18_POS")
    assert client_for(woman).get(URL).json() == []


def test_a_visit_without_a_summary_yet_is_not_listed():
    woman = ParticipantFactory()
    visit = VisitFactory(participant=woman)
    record(visit, hpv="HPV_NEG")
    assert client_for(woman).get(URL).json() == []


def test_the_list_needs_a_registered_participant():
    response = APIClient().get(URL)
    assert response.status_code in (401, 403)
    phone_only = APIClient()
    token = bearer_token(phone="13900000000")
    phone_only.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert phone_only.get(URL).status_code == 403


def test_the_list_takes_the_same_queries_for_one_visit_or_many(
    django_assert_num_queries,
):
    woman = ParticipantFactory()
    for month in (1, 2, 3):
        screened(woman, date(2030, month, 1), hpv="HPV_NEG", cytology="NILM")
    client = client_for(woman)
    # The token, her visits with their summaries, their current results.
    with django_assert_num_queries(3):
        response = client.get(URL)
    assert len(response.json()) == 3


def test_the_results_page_shows_her_summary_in_plain_words(client):
    from screening.models import ParticipantToken
    from screening.session import SIGNED_IN_KEY

    woman = ParticipantFactory()
    screened(woman, date(2030, 3, 1), breast_ultrasound="BIRADS_4A")
    bearer_token(phone=woman.phone, participant=woman)
    session = client.session
    session[SIGNED_IN_KEY] = ParticipantToken.objects.get(participant=woman).pk
    session.save()

    response = client.get(reverse("my_results"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    body = response.content.decode()
    assert response.status_code == 200
    assert "穿刺活检" in body
    assert "<script" not in body
    assert "style=" not in body
    assert response["Cache-Control"] == "no-store"


def test_the_results_page_sends_a_stranger_to_sign_in(client):
    response = client.get(reverse("my_results"))
    assert response.status_code == 302
    assert response["Location"] == reverse("signin")
