"""The core-knowledge quiz: marking, levels, one take per woman, versions frozen
once answered, her answers kept nowhere, and 知晓率/部分知晓 in the indicators."""

import pytest
from django.test import Client

from indicators.models import QuizChoice, QuizQuestion, QuizTake, QuizVersion
from indicators.quiz import AnswerNotInQuiz, current_quiz, mark, quiz_version_copy
from indicators.report import indicator_report
from tests.privacy.support import sign_in_page
from tests.screening.factories import CampaignFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def right_answers(version, how_many):  # type: ignore[no-untyped-def]
    answers = {}
    for n, q in enumerate(version.questions.all()):
        choices = list(q.choices.all())
        pick = (
            next(c for c in choices if c.correct)
            if n < how_many
            else next(c for c in choices if not c.correct)
        )
        answers[q.pk] = pick.pk
    return answers


@pytest.mark.parametrize(
    ("right", "level"),
    [
        (5, "aware"),
        (4, "aware"),
        (3, "partial"),
        (2, "partial"),
        (1, "unaware"),
        (0, "unaware"),
    ],
)
def test_the_levels_follow_the_2010_form(right, level):
    version = current_quiz()
    assert mark(version, right_answers(version, right)).level == level


def test_an_answer_from_another_question_is_refused():
    version = current_quiz()
    q1, q2 = list(version.questions.all())[:2]
    with pytest.raises(AnswerNotInQuiz):
        mark(version, {q1.pk: q2.choices.first().pk})


def signed_in(participant):  # type: ignore[no-untyped-def]
    client = Client()
    sign_in_page(client, participant)
    return client


def test_she_takes_the_quiz_on_the_phone_form_and_only_her_score_is_kept():
    campaign = CampaignFactory()
    woman = ParticipantFactory()
    client = signed_in(woman)
    page = client.get(f"/quiz/{campaign.pk}/?when=day")
    assert page.status_code == 200
    assert b"<script" not in page.content
    version = current_quiz()
    answers = right_answers(version, 3)
    post = {f"q{q}": c for q, c in answers.items()} | {"when": "day"}
    done = client.post(f"/quiz/{campaign.pk}/", post)
    assert done.status_code == 200
    take = QuizTake.objects.get(participant=woman, campaign=campaign)
    assert (take.asked, take.correct, take.level, take.moment) == (
        5,
        3,
        "partial",
        "day",
    )
    # Nothing that records which answer she chose.
    names = {f.name for f in QuizTake._meta.get_fields()}
    assert not names & {"answers", "choice", "choices"}
    # A second take replaces the first.
    client.post(
        f"/quiz/{campaign.pk}/",
        {f"q{q}": c for q, c in right_answers(version, 5).items()},
    )
    assert QuizTake.objects.filter(participant=woman).count() == 1
    assert QuizTake.objects.get(participant=woman).level == "aware"


def test_a_skipped_quiz_leaves_nothing_and_a_signed_out_visitor_is_sent_to_sign_in():
    campaign = CampaignFactory()
    client = signed_in(ParticipantFactory())
    skipped = client.post(f"/quiz/{campaign.pk}/", {"when": "signup"})
    # Sent without one answer is skipping: nothing counted, back to her bookings.
    assert skipped.status_code == 302
    assert not QuizTake.objects.exists()
    response = Client().get(f"/quiz/{campaign.pk}/")
    assert response.status_code == 302


def test_a_forged_answer_is_a_form_error_not_a_500():
    campaign = CampaignFactory()
    client = signed_in(ParticipantFactory())
    q = current_quiz().questions.first()
    response = client.post(f"/quiz/{campaign.pk}/", {f"q{q.pk}": "999999"})
    assert response.status_code == 400
    response = client.post(f"/quiz/{campaign.pk}/", {f"q{q.pk}": "x"})
    assert response.status_code == 400
    assert not QuizTake.objects.exists()


def test_a_copied_version_has_the_same_questions_and_is_not_offered_yet():
    version = current_quiz()
    copy = quiz_version_copy(version_id=version.pk)
    assert copy.number == version.number + 1
    assert not copy.is_current
    assert QuizQuestion.objects.filter(version=copy).count() == 5
    assert QuizChoice.objects.filter(question__version=copy, correct=True).count() == 5
    assert QuizVersion.objects.get(is_current=True) == version


def test_no_staff_admin_page_shows_a_take():
    from django.contrib import admin

    assert QuizTake not in admin.site._registry


def test_awareness_is_reported_from_the_takes_of_the_women_screened():
    from tests.indicators.fixture import build

    built = build()
    got = {
        f.code: f for f in indicator_report(campaign=built.campaign, exact=True).total
    }
    assert (
        got["knowledge_awareness"].numerator,
        got["knowledge_awareness"].denominator,
    ) == (1, 3)
    assert (
        got["knowledge_partial"].numerator,
        got["knowledge_partial"].denominator,
    ) == (1, 3)
