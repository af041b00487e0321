"""The run of a lab CSV import: a worker claims the upload, checks its rows and
records them in batches, each batch with its progress in one transaction, so a
run that dies resumes after the last committed batch. Uploading is in
screening.results.imports."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from common.enqueue import task_named
from screening.models import ImportStatus, ResultImport, ResultSource
from screening.results.codes import allowed_codes, code_problem
from screening.results.genotypes import GenotypeError, parse_hpv_types
from screening.results.lab_csv import (
    ImportFileError,
    Row,
    detect_encoding,
    iter_rows,
)
from screening.results.recording import NOTES_MAX_LENGTH, results_write
from screening.results.row_matching import row_matcher

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
SUMMARY_CHUNK = 500
MAX_ERRORS_KEPT = 1000
# A run whose last batch is older than this has died; another may take over.
STALE_AFTER = timedelta(minutes=10)
SUMMARY_COMPUTE_MANY_TASK = "screening.summary_compute_many"


def _enqueue_summaries(visit_ids: list[int]) -> None:
    many = task_named(SUMMARY_COMPUTE_MANY_TASK)
    for start in range(0, len(visit_ids), SUMMARY_CHUNK):
        many.delay(visit_ids[start : start + SUMMARY_CHUNK])


class _Overtaken(Exception):
    """Another run moved this import on; this one stops."""


@dataclass
class _Progress:
    processed: int
    recorded: int
    error_count: int
    errors: list[dict[str, Any]]

    def add_error(self, row: Row, field: str, message: str) -> None:
        """Never the row's notes: only fixed texts, the reference, test and code."""
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(
                {
                    "row": row.number,
                    "field": field,
                    "message": message,
                    "reference": row.reference[:32],
                    **({"barcode": row.barcode[:16]} if row.barcode else {}),
                }
            )


def _flush(
    result_import: ResultImport,
    batch: list[Row],
    progress: _Progress,
    processed: int,
) -> None:
    """Record one batch and the progress in one transaction, so a run that dies
    resumes exactly after the last committed batch."""
    with transaction.atomic():
        items = row_matcher()(
            batch=batch, result_import=result_import, add_error=progress.add_error
        )
        results_write(
            items=items,
            by=result_import.created_by,
            source=ResultSource.IMPORT,
            result_import=result_import,
        )
        progress.recorded += len(items)
        _progress_saved(result_import, progress, processed)
        visit_ids = sorted({item.visit.pk for item in items})
        if visit_ids:
            transaction.on_commit(partial(_enqueue_summaries, visit_ids))


def _progress_saved(
    result_import: ResultImport, progress: _Progress, processed: int
) -> None:
    """The progress, moved by compare-and-swap from what this run last wrote:
    _Overtaken if another run moved it meanwhile."""
    moved = ResultImport.objects.filter(
        pk=result_import.pk, processed=progress.processed
    ).update(
        processed=processed,
        recorded=progress.recorded,
        error_count=progress.error_count,
        errors=sorted(progress.errors, key=lambda error: error["row"]),
        progress_at=timezone.now(),
    )
    if moved != 1:
        raise _Overtaken
    progress.processed = processed


def _claim(import_id: int) -> bool:
    now = timezone.now()
    # One statement, so two deliveries of the task cannot both start a run.
    return (
        ResultImport.objects.filter(pk=import_id)
        .filter(
            Q(status=ImportStatus.PENDING)
            | Q(status=ImportStatus.RUNNING, progress_at__lt=now - STALE_AFTER)
            | Q(status=ImportStatus.RUNNING, progress_at__isnull=True)
        )
        .update(status=ImportStatus.RUNNING, progress_at=now)
        == 1
    )


def _fail(import_id: int, message: str) -> ResultImport:
    ResultImport.objects.filter(pk=import_id).update(
        status=ImportStatus.FAILED,
        message=message,
        finished_at=timezone.now(),
        content=None,
    )
    logger.warning("result_imports.failed id=%s", import_id)
    return ResultImport.objects.defer("content").get(pk=import_id)


def _stored_file(result_import: ResultImport) -> tuple[bytes, str]:
    """The kept bytes and their encoding, with the row total saved; raises
    ImportFileError if the file is gone or unreadable."""
    if result_import.content is None:
        raise ImportFileError(gettext("The file is no longer kept. Upload it again."))
    content = bytes(result_import.content)
    encoding = detect_encoding(content)
    total = sum(1 for _row in iter_rows(content, encoding))
    ResultImport.objects.filter(pk=result_import.pk).update(
        encoding=encoding, total=total
    )
    return content, encoding


def result_import_run(*, import_id: int) -> ResultImport | None:
    """Import the rows of one upload. Safe to run twice and to resume: a run
    claims the import first, skips the rows already committed, and a row equal
    to the current result changes nothing."""
    if not _claim(import_id):
        return None
    result_import = ResultImport.objects.select_related("created_by").get(pk=import_id)
    if result_import.started_at is None:
        result_import.started_at = timezone.now()
        result_import.save(update_fields=["started_at"])
    progress = _Progress(
        processed=result_import.processed,
        recorded=result_import.recorded,
        error_count=result_import.error_count,
        errors=list(result_import.errors),
    )
    try:
        content, encoding = _stored_file(result_import)
        rows = _rows_recorded(result_import, content, encoding, progress)
    except ImportFileError as exc:
        return _fail(import_id, exc.message)
    except _Overtaken:
        logger.warning("result_imports.overtaken id=%s", import_id)
        return None
    # The run has ended: the file, notes and all, is not kept a moment longer.
    ResultImport.objects.filter(pk=import_id).update(
        status=ImportStatus.DONE, finished_at=timezone.now(), content=None
    )
    logger.info(
        "result_imports.done id=%s rows=%s recorded=%s errors=%s",
        import_id,
        rows,
        progress.recorded,
        progress.error_count,
    )
    return ResultImport.objects.defer("content").get(pk=import_id)


def _rows_recorded(
    result_import: ResultImport, content: bytes, encoding: str, progress: _Progress
) -> int:
    """Check and record the rows after those already committed, batch by batch;
    how many rows the file has."""
    resume_after = result_import.processed
    allowed = allowed_codes()
    # (reference, test) -> first row, to name duplicates; ~100 bytes a row.
    seen: dict[tuple[str, str], int] = {}
    batch: list[Row] = []
    index = 0
    for row in iter_rows(content, encoding):
        index += 1
        key = row.key
        if index <= resume_after:
            seen.setdefault(key, row.number)
            continue
        problem = _row_problem(row, allowed, seen)
        if problem is not None:
            progress.add_error(row, *problem)
        else:
            seen[key] = row.number
            batch.append(row)
        if index % BATCH_SIZE == 0:
            _flush(result_import, batch, progress, index)
            batch = []
    _flush(result_import, batch, progress, index)
    return index


def _row_problem(
    row: Row, allowed: dict[str, frozenset[str]], seen: dict[tuple[str, str], int]
) -> tuple[str, str] | None:
    """What is wrong with the row on its own. A tube's row is checked against
    its result code once its barcode has named the test (see the matcher)."""
    if not row.reference and not row.barcode:
        return "reference", gettext("The reference is empty.")
    if not row.barcode:
        problem = code_problem(test=row.test, value=row.value, allowed=allowed)
        if problem is not None:
            return problem
    try:
        parse_hpv_types(row.hpv_types)
    except GenotypeError as exc:
        return "hpv_types", exc.message
    first = seen.get(row.key)
    if first is not None and row.barcode:
        return "barcode", gettext(
            "Row %(first)s already gives this tube's result; this row was not recorded."
        ) % {"first": first}
    if first is not None:
        return "test", gettext(
            "Row %(first)s already gives %(test)s for this reference; this row "
            "was not recorded."
        ) % {"first": first, "test": row.test}
    if len(row.notes) > NOTES_MAX_LENGTH:
        return "notes", gettext("Keep the notes to %(max)s characters or fewer.") % {
            "max": NOTES_MAX_LENGTH
        }
    return None
