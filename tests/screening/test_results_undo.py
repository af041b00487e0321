"""Undoing the last entry of a visit's results inside the review window."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from common.models import AuditEvent
from notifications.models import Notification, Status
from screening.models import FollowUpCase, FollowUpStatus, Result, ResultSummary
from screening.results.undo import NothingToUndo, UndoTooLate, result_undo_last
from screening.services import summary_compute
from tests.screening.result_factories import VisitFactory, record

pytestmark = pytest.mark.django_db

DAY = date(2030, 3, 1)


def current(visit):  # type: ignore[no-untyped-def]
    return dict(
        Result.objects.filter(visit=visit, is_current=True).values_list("test", "value")
    )


def test_undoing_a_correction_brings_the_earlier_results_back_audited() -> None:
    visit = VisitFactory(day=DAY)
    record(visit, hpv="HPV_NEG", cbe="CBE_NORMAL")
    record(visit, hpv="HPV_16_18_POS", cbe="CBE_NORMAL")

    left = result_undo_last(visit_id=visit.pk, by=None)

    assert left == 2
    assert current(visit) == {"hpv": "HPV_NEG", "cbe": "CBE_NORMAL"}
    assert Result.objects.filter(visit=visit).count() == 3
    event = AuditEvent.objects.get(action="result.undone")
    assert event.details["test"] == "hpv"
    assert "restores" in event.details


def test_undoing_the_only_entry_forgets_summary_message_and_untouched_follow_up(
    settings,
) -> None:  # type: ignore[no-untyped-def]
    settings.RESULT_REVIEW_MINUTES = 10
    visit = VisitFactory(day=DAY)
    record(visit, hpv="HPV_16_18_POS")
    summary_compute(visit_id=visit.pk)
    assert FollowUpCase.objects.filter(visit=visit).exists()

    left = result_undo_last(visit_id=visit.pk, by=None)

    assert left == 0
    assert current(visit) == {}
    assert not ResultSummary.objects.filter(visit=visit).exists()
    message = Notification.objects.get(kind="result_ready")
    assert message.status == Status.CANCELLED
    assert FollowUpCase.objects.get(visit=visit).status == FollowUpStatus.CLOSED


def test_after_the_review_window_the_undo_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    settings.RESULT_REVIEW_MINUTES = 10
    visit = VisitFactory(day=DAY)
    record(visit, hpv="HPV_NEG")
    Result.objects.filter(visit=visit).update(
        recorded_at=timezone.now() - timedelta(minutes=11)
    )

    with pytest.raises(UndoTooLate):
        result_undo_last(visit_id=visit.pk, by=None)
    assert current(visit) == {"hpv": "HPV_NEG"}


def test_a_visit_without_results_has_nothing_to_undo() -> None:
    visit = VisitFactory(day=DAY)

    with pytest.raises(NothingToUndo):
        result_undo_last(visit_id=visit.pk, by=None)
