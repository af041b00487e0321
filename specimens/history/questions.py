"""The active questions and the form built from them, for her phone and for
the desk alike."""

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from specimens.history.models import AnswerKind, HistoryQuestion

YES_NO_CHOICES = [("yes", _("Yes")), ("no", _("No")), ("unsure", _("Not sure"))]


def active_questions() -> list[HistoryQuestion]:
    return list(HistoryQuestion.objects.filter(active=True))


def _wording(question: HistoryQuestion) -> str:
    english = (get_language() or "").lower().startswith("en")
    return question.text_en if english else question.text_zh


def _no_future(value: date | None) -> None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future."))


class HistoryForm(forms.Form):
    """One field per active question; every answer may be left out, so the
    nurse can ask the rest at the desk."""

    def __init__(self, *args: Any, questions: list[HistoryQuestion], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[question.key] = self._field(question)

    @staticmethod
    def _field(question: HistoryQuestion) -> forms.Field:
        if question.answer_kind == AnswerKind.DATE:
            return forms.DateField(
                label=_wording(question),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
                validators=[_no_future],
            )
        return forms.ChoiceField(
            label=_wording(question),
            required=False,
            choices=YES_NO_CHOICES,
            widget=forms.RadioSelect,
        )

    def answers(self) -> list[dict[str, str]]:
        """What she answered, with each question's wording as she saw it."""
        out = []
        for question in self.questions:
            value = self.cleaned_data.get(question.key)
            if value in (None, ""):
                continue
            out.append(
                {
                    "key": question.key,
                    "zh": question.text_zh,
                    "en": question.text_en,
                    "answer": value.isoformat() if isinstance(value, date) else value,
                }
            )
        return out


def initial_from(answers: list[dict[str, str]] | None) -> dict[str, str]:
    return {entry["key"]: entry["answer"] for entry in answers or []}


def answered_rows(answers: list[dict[str, str]] | None) -> list[dict[str, Any]]:
    """Her answers to read back at the desk, each in the wording she saw; a
    "yes" is flagged, since it is what changes how her sample is read."""
    labels = dict(YES_NO_CHOICES)
    english = (get_language() or "").lower().startswith("en")
    return [
        {
            "question": entry["en"] if english else entry["zh"],
            "answer": labels.get(entry["answer"], entry["answer"]),
            "flag": entry["answer"] == "yes",
        }
        for entry in answers or []
    ]
