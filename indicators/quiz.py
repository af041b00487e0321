"""The core-knowledge quiz's rules: which version is offered, how a take is
marked, and copying a version so answered questions are never changed.

Her answers are marked here and dropped: only the count right and the level
(知晓 ≥ 70%, 部分知晓 ≥ 40%, per version) are stored, so nothing a staff view
could show says what she chose."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch

from common.errors import ApplicationError
from indicators.models import QuizChoice, QuizQuestion, QuizTake, QuizVersion
from indicators.quiz_models import QuizLevel, QuizMoment
from screening.models import Campaign, Participant


class AnswerNotInQuiz(ApplicationError):
    code = "answer_not_in_quiz"
    status = 400


@dataclass(frozen=True)
class Marked:
    asked: int
    correct: int
    level: str


def current_quiz() -> QuizVersion | None:
    choices = Prefetch("choices", queryset=QuizChoice.objects.order_by("order", "id"))
    questions = Prefetch(
        "questions",
        queryset=QuizQuestion.objects.order_by("order", "id").prefetch_related(choices),
    )
    return (
        QuizVersion.objects.filter(is_current=True).prefetch_related(questions).first()
    )


def level_for(version: QuizVersion, *, asked: int, correct: int) -> str:
    percent = 100 * correct / asked if asked else 0
    if percent >= version.aware_percent:
        return QuizLevel.AWARE
    if percent >= version.partial_percent:
        return QuizLevel.PARTIAL
    return QuizLevel.UNAWARE


def mark(version: QuizVersion, answers: Mapping[int, int]) -> Marked:
    """``answers``: question id -> chosen answer id. An unanswered question counts
    as not known; an answer from another question or version is refused."""
    questions = list(version.questions.all())
    right = 0
    for question in questions:
        chosen = answers.get(question.pk)
        if chosen is None:
            continue
        by_id = {c.pk: c for c in question.choices.all()}
        if chosen not in by_id:
            raise AnswerNotInQuiz
        right += int(by_id[chosen].correct)
    if set(answers) - {q.pk for q in questions}:
        raise AnswerNotInQuiz
    asked = len(questions)
    return Marked(asked, right, level_for(version, asked=asked, correct=right))


def quiz_take_record(
    *,
    participant: Participant,
    campaign: Campaign,
    version: QuizVersion,
    answers: Mapping[int, int],
    moment: str,
) -> Marked:
    """Her latest take replaces the earlier one (one row per woman and campaign,
    by a unique constraint: two sends at once end as one row, not two)."""
    if moment not in QuizMoment.values:
        moment = QuizMoment.SIGNUP
    marked = mark(version, answers)
    values = {"version": version, "moment": moment, "asked": marked.asked,
              "correct": marked.correct, "level": marked.level}  # fmt: skip
    for _attempt in range(2):
        try:
            with transaction.atomic():
                QuizTake.objects.update_or_create(
                    participant=participant, campaign=campaign, defaults=values
                )
            break
        except IntegrityError:
            continue  # the other send made the row first: update it now
    return marked


def quiz_version_copy(*, version_id: int) -> QuizVersion:
    """A new, not yet offered version with the same questions, to edit freely."""
    source = QuizVersion.objects.get(pk=version_id)
    number = (QuizVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    copy = QuizVersion.objects.create(
        number=number,
        title_zh=source.title_zh,
        title_en=source.title_en,
        aware_percent=source.aware_percent,
        partial_percent=source.partial_percent,
        is_current=False,
    )
    for question in source.questions.prefetch_related("choices"):
        new = QuizQuestion.objects.create(
            version=copy, order=question.order, text_zh=question.text_zh,
            text_en=question.text_en,
        )  # fmt: skip
        QuizChoice.objects.bulk_create(
            QuizChoice(
                question=new,
                order=c.order,
                text_zh=c.text_zh,
                text_en=c.text_en,
                correct=c.correct,
            )
            for c in question.choices.all()
        )
    return copy
