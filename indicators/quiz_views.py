"""Her quiz pages: plain HTML forms (no JavaScript), phone first. Optional: a
skip link on every page, and nothing else she does depends on it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from indicators.quiz import AnswerNotInQuiz, current_quiz, quiz_take_record
from indicators.quiz_models import QuizMoment
from screening.models import Campaign
from screening.session import identity_from_session


def _answers(post: dict, question_ids: list[int]) -> dict[int, int] | None:
    answers: dict[int, int] = {}
    for qid in question_ids:
        raw = post.get(f"q{qid}")
        if not raw:
            continue
        try:
            answers[qid] = int(raw)
        except (TypeError, ValueError):
            return None
    return answers


@require_http_methods(["GET", "POST"])
def quiz_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    identity = identity_from_session(request)
    if identity is None or identity.participant is None:
        return redirect("signin")
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    version = current_quiz()
    moment = request.GET.get("when") or request.POST.get("when") or QuizMoment.SIGNUP
    english = (get_language() or "").lower().startswith("en")
    if moment not in QuizMoment.values:
        moment = QuizMoment.SIGNUP
    context = {
        "campaign": campaign,
        "version": version,
        "english": english,
        "moment": moment,
    }
    if version is None:
        return render(request, "indicators/quiz_none.html", context)
    questions = list(version.questions.all())
    if request.method == "POST":
        answers = _answers(request.POST, [q.pk for q in questions])
        if answers == {}:
            # Sent without a single answer: she skipped it; nothing is counted.
            return redirect("my")
        try:
            if answers is None:
                raise AnswerNotInQuiz
            marked = quiz_take_record(
                participant=identity.participant, campaign=campaign, version=version,
                answers=answers, moment=context["moment"],
            )  # fmt: skip
        except AnswerNotInQuiz:
            context.update(questions=questions, error=True)
            return render(request, "indicators/quiz.html", context, status=400)
        context["marked"] = marked
        return render(request, "indicators/quiz_done.html", context)
    context["questions"] = questions
    return render(request, "indicators/quiz.html", context)
