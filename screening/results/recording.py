"""Recording results: at the desk one visit at a time, from a lab file in batches.

Both go through `results_write`, so a correction is handled, and audited, the
same way whichever door it came in by.
"""

import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from common.audit import client_ip
from common.enqueue import task_named
from common.models import AuditEvent
from screening.errors import NotCheckedIn, ResultInvalid, VisitNotFound
from screening.models import Result, ResultImport, ResultSource, Visit
from screening.results.codes import (
    allowed_codes,
    code_problem,
    normalise_test,
    normalise_value,
)

logger = logging.getLogger(__name__)

NOTES_MAX_LENGTH = 2000


@dataclass(frozen=True)
class ResultInput:
    visit: Visit
    test: str
    value: str
    notes: str = ""
    row: int | None = None


# Started by name (see common.enqueue): screening.tasks imports this module.
SUMMARY_COMPUTE_TASK = "screening.summary_compute"


def _enqueue_summary(visit_id: int) -> None:
    task_named(SUMMARY_COMPUTE_TASK).delay(visit_id)


def _actor(by: Any) -> Any:
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def results_write(
    *,
    items: list[ResultInput],
    by: Any,
    source: str,
    result_import: ResultImport | None = None,
    request: HttpRequest | None = None,
) -> list[Result]:
    """Write validated results; the caller holds the visits' row locks in its
    transaction and has checked that no visit and test appear twice.

    A value and note equal to the current ones change nothing (a repeated
    submission or a re-run import); anything else supersedes the current row.
    Returns the current row of every item, new or unchanged.
    """
    if not items:
        return []
    actor = _actor(by)
    out, fresh, replaced = _results_planned(
        items, actor=actor, source=source, result_import=result_import
    )
    if not fresh:
        return out
    _results_saved(fresh, replaced)
    _results_audited(
        fresh,
        replaced,
        actor=actor,
        source=source,
        result_import=result_import,
        request=request,
    )
    return out


def _results_planned(
    items: list[ResultInput],
    *,
    actor: Any,
    source: str,
    result_import: ResultImport | None,
) -> tuple[list[Result], list[Result], list[tuple[Result, Result]]]:
    """Every item's current row (an unchanged one, or a new unsaved one), the
    new rows, and the (old, new) pairs where a new row supersedes one."""
    current = {
        (result.visit_id, result.test): result
        for result in Result.objects.filter(
            visit_id__in={item.visit.pk for item in items},
            test__in={item.test for item in items},
            is_current=True,
        )
    }
    now = timezone.now()
    out: list[Result] = []
    fresh: list[Result] = []
    replaced: list[tuple[Result, Result]] = []
    for item in items:
        old = current.get((item.visit.pk, item.test))
        if old is not None and old.value == item.value and old.notes == item.notes:
            out.append(old)
            continue
        new = Result(
            visit=item.visit,
            test=item.test,
            value=item.value,
            notes=item.notes,
            source=source,
            result_import=result_import,
            recorded_by=actor,
            recorded_at=now,
            is_current=True,
        )
        fresh.append(new)
        out.append(new)
        if old is not None:
            replaced.append((old, new))
    return out, fresh, replaced


def _results_saved(fresh: list[Result], replaced: list[tuple[Result, Result]]) -> None:
    if replaced:
        # First, so the one-current-row constraint holds when the new rows land.
        Result.objects.filter(pk__in=[old.pk for old, _ in replaced]).update(
            is_current=False
        )
    Result.objects.bulk_create(fresh)
    if replaced:
        for old, new in replaced:
            old.is_current = False
            old.superseded_by = new
        Result.objects.bulk_update([old for old, _ in replaced], ["superseded_by"])


def _results_audited(
    fresh: list[Result],
    replaced: list[tuple[Result, Result]],
    *,
    actor: Any,
    source: str,
    result_import: ResultImport | None,
    request: HttpRequest | None,
) -> None:
    """One audit event per new row: recorded, or corrected (naming the row it
    supersedes)."""
    superseded = {id(new): old.pk for old, new in replaced}
    ip = client_ip(request)
    label = getattr(actor, "username", "") if actor is not None else "system"
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor,
                actor_label=label,
                action=(
                    "result.corrected" if id(new) in superseded else "result.recorded"
                ),
                object_type="result",
                object_id=str(new.pk),
                ip_address=ip,
                details={
                    "visit": new.visit_id,
                    "test": new.test,
                    "source": source,
                    **(
                        {"supersedes": superseded[id(new)]}
                        if id(new) in superseded
                        else {}
                    ),
                    **({"import": result_import.pk} if result_import else {}),
                },
            )
            for new in fresh
        ]
    )


def _check_tests(
    tests: list[dict[str, str]],
) -> tuple[list[tuple[str, str]], list[str]]:
    allowed = allowed_codes()
    problems: list[str] = []
    checked: list[tuple[str, str]] = []
    seen: set[str] = set()
    if not tests:
        problems.append(gettext("Record at least one test."))
    for number, entry in enumerate(tests, start=1):
        test = normalise_test(str(entry.get("test", "")))
        value = normalise_value(str(entry.get("value", "")))
        problem = code_problem(test=test, value=value, allowed=allowed)
        if problem is not None:
            problems.append(
                gettext("Test %(number)s: %(message)s")
                % {"number": number, "message": problem[1]}
            )
            continue
        if test in seen:
            problems.append(
                gettext("Test %(number)s: %(test)s is listed twice.")
                % {"number": number, "test": test}
            )
            continue
        seen.add(test)
        checked.append((test, value))
    return checked, problems


def result_record(
    *,
    visit_id: int,
    tests: list[dict[str, str]],
    notes: str,
    by: Any,
    source: str = ResultSource.DESK,
    request: HttpRequest | None = None,
) -> list[Result]:
    """Record one visit's results in one transaction; the summary follows from a
    worker after commit.

    Raises ResultInvalid ({"tests": [...]}, every problem at once), VisitNotFound,
    or NotCheckedIn when the check-in was undone.
    """
    checked, problems = _check_tests(tests)
    notes = (notes or "").strip()
    errors: dict[str, list[str]] = {}
    if problems:
        errors["tests"] = problems
    if len(notes) > NOTES_MAX_LENGTH:
        errors["notes"] = [
            gettext("Keep the notes to %(max)s characters or fewer.")
            % {"max": NOTES_MAX_LENGTH}
        ]
    if errors:
        raise ResultInvalid(errors=errors)
    with transaction.atomic():
        # Serialises with visit_undo and with other recordings of this visit.
        visit = Visit.objects.select_for_update().filter(pk=visit_id).first()
        if visit is None:
            raise VisitNotFound
        if visit.undone_at is not None:
            raise NotCheckedIn
        results = results_write(
            items=[
                ResultInput(visit=visit, test=test, value=value, notes=notes)
                for test, value in checked
            ],
            by=by,
            source=source,
            request=request,
        )
        transaction.on_commit(partial(_enqueue_summary, visit.pk))
    logger.info("results.recorded visit=%s count=%s", visit.pk, len(results))
    return results
