"""Taking back the last entry of a visit's results, inside the review window.

A nurse who recorded results on the wrong woman, or picked the wrong codes,
undoes that entry while the "result ready" message still waits: each result of
the entry stops being current and the one it replaced, if any, is current again.
When nothing is left, the summary goes, the waiting message is cancelled and a
follow-up case nobody has acted on is closed. The rows stay, so the history
shows what was recorded and undone; every undone result is audited.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.audit import audit_record
from common.enqueue import task_named
from common.errors import Conflict
from notifications.services import notifications_cancel_pending
from screening.errors import NotCheckedIn, VisitNotFound
from screening.models import (
    FollowUpCase,
    FollowUpStatus,
    Result,
    ResultSummary,
    Visit,
)
from screening.results.follow_up import follow_up_transition
from screening.results.recording import SUMMARY_COMPUTE_TASK
from screening.results.review_window import result_ready_prefix, review_window

logger = logging.getLogger(__name__)


class UndoTooLate(Conflict):
    code = "results_undo_too_late"

    def default_detail(self) -> str | Promise:
        return _(
            "These results can no longer be undone: the review window is over. "
            "Correct them instead."
        )


class NothingToUndo(Conflict):
    code = "results_nothing_to_undo"

    def default_detail(self) -> str | Promise:
        return _("There are no results to undo.")


def _last_entry(visit: Visit) -> list[Result]:
    current = list(Result.objects.filter(visit=visit, is_current=True))
    if not current:
        raise NothingToUndo
    # One recording writes its rows with one time: that is the entry.
    latest = max(result.recorded_at for result in current)
    return [result for result in current if result.recorded_at == latest]


def results_undo_window_open(*, visit_id: int, now: Any = None) -> bool:
    """Whether the visit's last entry may still be undone."""
    latest = (
        Result.objects.filter(visit_id=visit_id, is_current=True)
        .order_by("-recorded_at")
        .values_list("recorded_at", flat=True)
        .first()
    )
    now = now or timezone.now()
    return latest is not None and latest >= now - review_window()


def result_undo_last(
    *, visit_id: int, by: Any, request: HttpRequest | None = None
) -> int:
    """Undo the visit's last entry; returns how many results are left current.
    Raises VisitNotFound, NotCheckedIn, NothingToUndo, UndoTooLate."""
    with transaction.atomic():
        # Serialises with result_record and summary_compute of this visit.
        visit = Visit.objects.select_for_update().filter(pk=visit_id).first()
        if visit is None:
            raise VisitNotFound
        if visit.undone_at is not None:
            raise NotCheckedIn
        entry = _last_entry(visit)
        if not results_undo_window_open(visit_id=visit.pk):
            raise UndoTooLate
        _take_back(entry, by=by, request=request)
        left = Result.objects.filter(visit=visit, is_current=True).count()
        if left:
            # A new version of her summary, and of its message, from the worker.
            transaction.on_commit(
                partial(task_named(SUMMARY_COMPUTE_TASK).delay, visit.pk)
            )
        else:
            _forget_summary(visit, by=by)
    logger.info("results.undone visit=%s rows=%s left=%s", visit.pk, len(entry), left)
    return left


def _take_back(entry: list[Result], *, by: Any, request: HttpRequest | None) -> None:
    restored = {
        old.superseded_by_id: old
        for old in Result.objects.filter(superseded_by__in=entry)
    }
    # First, so the one-current-row constraint holds when the old rows return.
    Result.objects.filter(pk__in=[result.pk for result in entry]).update(
        is_current=False
    )
    Result.objects.filter(pk__in=[old.pk for old in restored.values()]).update(
        is_current=True, superseded_by=None
    )
    for result in entry:
        old = restored.get(result.pk)
        audit_record(
            actor=by,
            action="result.undone",
            obj_type="result",
            obj_id=result.pk,
            request=request,
            purpose="results undone at the desk",
            details={
                "visit": result.visit_id,
                "test": result.test,
                **({"restores": old.pk} if old is not None else {}),
            },
        )


def _forget_summary(visit: Visit, *, by: Any) -> None:
    """No result is left: no summary, no message, no untouched follow-up."""
    ResultSummary.objects.filter(visit=visit).delete()
    notifications_cancel_pending(dedupe_key_prefix=result_ready_prefix(visit.pk))
    case = FollowUpCase.objects.select_for_update().filter(visit=visit).first()
    if case is not None and case.status == FollowUpStatus.OPEN:
        follow_up_transition(
            case=case,
            to_status=FollowUpStatus.CLOSED,
            by=by,
            note="closed: results undone",
        )
