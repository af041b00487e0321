"""The desk's results page for one woman: what is recorded now (chosen in the
form, so a correction changes only what the nurse changes), every earlier entry,
and until when the "result ready" message waits for a correction."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import ApplicationError
from scheduling.desk.common import desk_page, desk_staff, desk_url
from scheduling.desk.results import appointment_results_record, appointment_results_undo
from scheduling.desk.selectors import desk_appointment_get
from scheduling.desk.woman import desk_woman_read
from scheduling.errors import OtherSite
from scheduling.models import Appointment
from screening import selectors as screening_selectors
from screening.errors import ValidationFailed
from screening.models import ResultTest
from screening.results.codes import allowed_codes

NOTES_MAX_LENGTH = 2000


def result_choices() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(test, label, [(code, label)]) for every test with active codes."""
    labels = screening_selectors.result_code_labels(
        english=(get_language() or "").startswith("en")
    )
    allowed = allowed_codes()
    return [
        (
            test,
            str(test_label),
            # The labels come in the table's order, which is the clinical one.
            [
                (code, f"{code} {label}")
                for (code_test, code), label in labels.items()
                if code_test == test and code in allowed[test]
            ],
        )
        for test, test_label in ResultTest.choices
        if allowed.get(test)
    ]


def _appointment(request: HttpRequest, appointment_id: int) -> Appointment:
    try:
        return desk_appointment_get(user=request.user, appointment_id=appointment_id)
    except OtherSite:
        raise PermissionDenied from None
    except ApplicationError as error:
        raise PermissionDenied from error


def _posted_tests(request: HttpRequest, choices: list[Any]) -> list[dict[str, str]]:
    return [
        {"test": test, "value": request.POST.get(f"test_{test}", "").strip()}
        for test, _label, _codes in choices
        if request.POST.get(f"test_{test}", "").strip()
    ]


def _record(
    request: HttpRequest, appointment: Appointment, choices: list[Any]
) -> str | None:
    """Record what was posted: None when done, else the error to show."""
    tests = _posted_tests(request, choices)
    if not tests:
        return gettext("Choose at least one result: every test reads “not done”.")
    try:
        appointment_results_record(
            by=desk_staff(request),
            appointment_id=appointment.pk,
            tests=tests,
            notes=request.POST.get("notes", "")[:NOTES_MAX_LENGTH],
            request=request,
        )
    except ValidationFailed as error:
        # Say what is wrong with which test, not only that something is.
        return " ".join(
            message for messages in error.errors.values() for message in messages
        )
    except ApplicationError as error:
        return str(error.detail)
    return None


@require_http_methods(["GET", "POST"])
@desk_page
def desk_results(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = _appointment(request, appointment_id)
    site = appointment.slot.site
    choices = result_choices()
    error_text = ""
    if request.method == "POST":
        problem = _record(request, appointment, choices)
        if problem is None:
            messages.success(request, _recorded_message(appointment))
            return redirect(desk_url(site))
        error_text = problem
    recorded = _recorded(request, appointment)
    chosen = recorded["chosen"]
    return render(
        request,
        "scheduling/desk/results.html",
        {
            "site": site,
            "appointment": appointment,
            "woman": desk_woman_read(
                by=request.user,
                appointment=appointment,
                purpose="results entry",
                request=request,
            ),
            **recorded,
            "fields": [
                (
                    test,
                    label,
                    [(code, text, chosen.get(test) == code) for code, text in codes],
                )
                for test, label, codes in choices
            ],
            "error": error_text,
            "back": desk_url(site, anchor=f"#a{appointment.pk}"),
        },
        status=400 if error_text else 200,
    )


def _recorded_message(appointment: Appointment) -> str:
    return gettext(
        "Results recorded for reference %(reference)s. The message to her waits "
        "%(minutes)s minutes: a correction before then replaces it."
    ) % {
        "reference": appointment.reference,
        "minutes": screening_selectors.result_review_minutes(),
    }


def _recorded(request: HttpRequest, appointment: Appointment) -> dict[str, Any]:
    """The form's choices (what was posted, else what is recorded), the history
    and the message still waiting."""
    visit = screening_selectors.visit_for_appointment(appointment_id=appointment.pk)
    if visit is None:
        return {
            "chosen": {},
            "notes": "",
            "recorded": False,
            "undoable": False,
            "history": [],
            "pending": None,
        }
    current = screening_selectors.visit_results_current(visit_id=visit.pk)
    if request.method == "POST":
        chosen = {
            key.removeprefix("test_"): value
            for key, value in request.POST.items()
            if key.startswith("test_")
        }
        notes = request.POST.get("notes", "")[:NOTES_MAX_LENGTH]
    else:
        chosen = current
        notes = screening_selectors.visit_results_notes(visit_id=visit.pk)
    return {
        "chosen": chosen,
        "notes": notes,
        "recorded": bool(current),
        "undoable": screening_selectors.results_undo_window_open(visit_id=visit.pk),
        "history": screening_selectors.visit_results_history(visit_id=visit.pk),
        "pending": screening_selectors.result_ready_pending(visit_id=visit.pk),
    }


@require_POST
@desk_page
def desk_results_undo(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = _appointment(request, appointment_id)
    url = reverse("desk-results", args=[appointment.pk])
    try:
        left = appointment_results_undo(
            by=desk_staff(request), appointment_id=appointment.pk, request=request
        )
    except ApplicationError as error:
        messages.error(request, str(error.detail))
        return redirect(url)
    messages.success(
        request,
        (
            gettext("The last entry is undone; the earlier results are back.")
            if left
            else gettext(
                "Her results are undone: nothing is recorded and no message goes."
            )
        ),
    )
    return redirect(url)
