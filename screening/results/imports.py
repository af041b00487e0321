"""Lab CSV imports: upload once, then a worker records the rows in batches.

The file is read as a stream (csv over a text wrapper), never as a list of
rows, so a 100,000-row export fits in a small worker. Columns, in any order:
`reference,test,value,notes` or 预约号,检查项目,结果,备注; `notes` may be left
out. Encoding: UTF-8, UTF-8 with BOM, or GBK (what Chinese Excel saves).
"""

import codecs
import csv
import hashlib
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from common.audit import audit_record
from common.enqueue import task_named
from screening.errors import ResultImportInvalid
from screening.models import ImportStatus, ResultImport, ResultSource, Visit
from screening.results.codes import (
    allowed_codes,
    code_problem,
    normalise_test,
    normalise_value,
)
from screening.results.recording import NOTES_MAX_LENGTH, ResultInput, results_write

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
SUMMARY_CHUNK = 500
MAX_ERRORS_KEPT = 1000
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DECODE_CHUNK = 1 << 16
# A run whose last batch is older than this has died; another may take over.
STALE_AFTER = timedelta(minutes=10)

COLUMN_ALIASES = {
    "reference": "reference",
    "预约号": "reference",
    "test": "test",
    "检查项目": "test",
    "value": "value",
    "结果": "value",
    "notes": "notes",
    "备注": "notes",
}
REQUIRED_COLUMNS = ("reference", "test", "value")
BINARY_SIGNATURES = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "an Excel workbook or zip file"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook"),
)


class ImportFileError(Exception):
    """The file as a whole cannot be read; `message` tells the desk why."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def _decodes(content: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    view = memoryview(content)
    try:
        for start in range(0, len(view), DECODE_CHUNK):
            decoder.decode(view[start : start + DECODE_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(content: bytes) -> str:
    """utf-8-sig, utf-8 or gb18030 (a superset of GBK); ImportFileError if the
    bytes are empty, binary, or text in none of these."""
    if not content.strip():
        raise ImportFileError(gettext("The file is empty."))
    for signature, what in BINARY_SIGNATURES:
        if content.startswith(signature):
            raise ImportFileError(
                gettext(
                    "This is %(what)s, not a CSV file. In Excel, use Save As "
                    "and choose CSV."
                )
                % {"what": what}
            )
    if b"\x00" in content:
        raise ImportFileError(
            gettext("This is not a CSV file: it contains binary data.")
        )
    if content.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if _decodes(content, "utf-8"):
        return "utf-8"
    if _decodes(content, "gb18030"):
        return "gb18030"
    raise ImportFileError(
        gettext("This file is not text in UTF-8 or GBK, so it cannot be a CSV file.")
    )


def _column_map(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = COLUMN_ALIASES.get(cell.strip().lstrip("\ufeff").lower())
        if name is not None and name not in columns:
            columns[name] = index
    if any(name not in columns for name in REQUIRED_COLUMNS):
        raise ImportFileError(
            gettext(
                "The first row must name the columns reference, test, value and "
                "optionally notes (or 预约号, 检查项目, 结果, 备注)."
            )
        )
    return columns


@dataclass(frozen=True)
class Row:
    number: int
    reference: str
    test: str
    value: str
    notes: str


def iter_rows(content: bytes, encoding: str) -> Iterator[Row]:
    """Data rows as they stream past; `number` is the row as a spreadsheet shows
    it (the header is row 1). Blank lines are skipped."""
    text = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    reader = csv.reader(text)
    try:
        header = next(reader, None)
        if header is None:
            raise ImportFileError(gettext("The file is empty."))
        columns = _column_map(header)
        notes_at = columns.get("notes")
        width = max(columns.values()) + 1
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            yield Row(
                number=number,
                reference=cells[columns["reference"]].strip().upper(),
                test=normalise_test(cells[columns["test"]]),
                value=normalise_value(cells[columns["value"]]),
                notes=cells[notes_at].strip() if notes_at is not None else "",
            )
    except csv.Error as exc:
        raise ImportFileError(
            gettext("This file could not be read as CSV: %(reason)s")
            % {"reason": str(exc)}
        ) from None


def check_file(content: bytes) -> str:
    """The encoding, once the header has been read; ImportFileError otherwise."""
    encoding = detect_encoding(content)
    for _row in iter_rows(content, encoding):
        break
    return encoding


def result_import_create(
    *, uploaded_file: UploadedFile, by: Any, site_ids: list[int] | None = None
) -> ResultImport:
    """Store an uploaded lab CSV and have a worker import it after commit.

    With `site_ids`, rows are recorded only for visits at those sites: clinic
    staff write results for their own sites and nobody else's.

    The same bytes uploaded again return the first import and change nothing.
    Raises ResultImportInvalid (400) for a file that is empty, too large, binary,
    not UTF-8 or GBK text, or without the required columns.
    """
    max_bytes = int(getattr(settings, "RESULT_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))
    digest = hashlib.sha256()
    buffer = bytearray()
    for chunk in uploaded_file.chunks():
        buffer += chunk
        if len(buffer) > max_bytes:
            raise ResultImportInvalid(
                gettext(
                    "The file is larger than %(mb)s MB. Split it and upload each part."
                )
                % {"mb": max_bytes // (1024 * 1024)},
                code="too_large",
            )
        digest.update(chunk)
    content = bytes(buffer)
    sha256 = digest.hexdigest()
    existing = ResultImport.objects.defer("content").filter(sha256=sha256).first()
    if existing is not None:
        return existing
    try:
        encoding = check_file(content)
    except ImportFileError as exc:
        code = "empty_file" if not content.strip() else "not_csv"
        raise ResultImportInvalid(exc.message, code=code) from None
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            result_import = ResultImport.objects.create(
                created_by=actor,
                site_ids=None if site_ids is None else sorted(set(site_ids)),
                filename=(getattr(uploaded_file, "name", "") or "")[-200:],
                sha256=sha256,
                size=len(content),
                content=content,
                encoding=encoding,
            )
            audit_record(
                actor=by,
                action="result_import.created",
                obj_type="result_import",
                obj_id=result_import.pk,
            )
            transaction.on_commit(partial(_enqueue_run, result_import.pk))
    except IntegrityError:
        # The same file, uploaded twice at once: the unique hash kept one.
        return ResultImport.objects.defer("content").get(sha256=sha256)
    logger.info("result_imports.created id=%s size=%s", result_import.pk, len(content))
    return result_import


# Started by name (see common.enqueue): screening.tasks imports this module.
RESULT_IMPORT_RUN_TASK = "screening.result_import_run"
SUMMARY_COMPUTE_MANY_TASK = "screening.summary_compute_many"


def _enqueue_run(import_id: int) -> None:
    task_named(RESULT_IMPORT_RUN_TASK).delay(import_id)


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

    def add_error(self, row: int, field: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"row": row, "field": field, "message": message})


def _flush(
    result_import: ResultImport,
    batch: list[Row],
    progress: _Progress,
    processed: int,
) -> None:
    """Record one batch and the progress in one transaction, so a run that dies
    resumes exactly after the last committed batch."""
    with transaction.atomic():
        # Locked in id order, like every multi-visit write, so batches and desk
        # recordings of the same visits queue instead of deadlocking.
        visits = Visit.objects.select_for_update().filter(
            reference__in={row.reference for row in batch}, undone_at__isnull=True
        )
        if result_import.site_ids is not None:
            # Another site's visit reads as unknown: the row says nothing of it.
            visits = visits.filter(site_id__in=result_import.site_ids)
        visits = visits.order_by("pk").only("pk", "reference", "undone_at")
        by_reference = {visit.reference: visit for visit in visits}
        items: list[ResultInput] = []
        for row in batch:
            visit = by_reference.get(row.reference)
            if visit is None:
                progress.add_error(
                    row.number,
                    "reference",
                    gettext("No checked-in visit has the reference %(reference)s.")
                    % {"reference": row.reference},
                )
                continue
            items.append(
                ResultInput(
                    visit=visit,
                    test=row.test,
                    value=row.value,
                    notes=row.notes,
                    row=row.number,
                )
            )
        results_write(
            items=items,
            by=result_import.created_by,
            source=ResultSource.IMPORT,
            result_import=result_import,
        )
        progress.recorded += len(items)
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
        visit_ids = sorted({item.visit.pk for item in items})
        if visit_ids:
            transaction.on_commit(partial(_enqueue_summaries, visit_ids))


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


def _fail(import_id: int, message: str) -> None:
    ResultImport.objects.filter(pk=import_id).update(
        status=ImportStatus.FAILED, message=message, finished_at=timezone.now()
    )
    logger.warning("result_imports.failed id=%s", import_id)


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
    content = bytes(result_import.content)
    try:
        encoding = detect_encoding(content)
        total = sum(1 for _row in iter_rows(content, encoding))
    except ImportFileError as exc:
        _fail(import_id, exc.message)
        return ResultImport.objects.defer("content").get(pk=import_id)
    ResultImport.objects.filter(pk=import_id).update(encoding=encoding, total=total)

    progress = _Progress(
        processed=result_import.processed,
        recorded=result_import.recorded,
        error_count=result_import.error_count,
        errors=list(result_import.errors),
    )
    resume_after = result_import.processed
    allowed = allowed_codes()
    # (reference, test) -> first row, to name duplicates; ~100 bytes a row.
    seen: dict[tuple[str, str], int] = {}
    batch: list[Row] = []
    index = 0
    try:
        for row in iter_rows(content, encoding):
            index += 1
            key = (row.reference, row.test)
            if index <= resume_after:
                seen.setdefault(key, row.number)
                continue
            problem = _row_problem(row, allowed, seen)
            if problem is not None:
                progress.add_error(row.number, *problem)
            else:
                seen[key] = row.number
                batch.append(row)
            if index % BATCH_SIZE == 0:
                _flush(result_import, batch, progress, index)
                batch = []
        _flush(result_import, batch, progress, index)
    except ImportFileError as exc:
        _fail(import_id, exc.message)
        return ResultImport.objects.defer("content").get(pk=import_id)
    except _Overtaken:
        logger.warning("result_imports.overtaken id=%s", import_id)
        return None
    ResultImport.objects.filter(pk=import_id).update(
        status=ImportStatus.DONE, finished_at=timezone.now()
    )
    logger.info(
        "result_imports.done id=%s rows=%s recorded=%s errors=%s",
        import_id,
        index,
        progress.recorded,
        progress.error_count,
    )
    return ResultImport.objects.defer("content").get(pk=import_id)


def _row_problem(
    row: Row, allowed: dict[str, frozenset[str]], seen: dict[tuple[str, str], int]
) -> tuple[str, str] | None:
    if not row.reference:
        return "reference", gettext("The reference is empty.")
    problem = code_problem(test=row.test, value=row.value, allowed=allowed)
    if problem is not None:
        return problem
    first = seen.get((row.reference, row.test))
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


def result_imports_resume_stale() -> int:
    """Enqueue imports whose task was lost (broker flushed, worker killed):
    waiting too long, or running without progress. The run's claim makes a
    spare enqueue harmless."""
    cutoff = timezone.now() - STALE_AFTER
    ids = list(
        ResultImport.objects.filter(
            Q(status=ImportStatus.PENDING, created_at__lt=cutoff)
            | Q(status=ImportStatus.RUNNING, progress_at__lt=cutoff)
        ).values_list("pk", flat=True)[:100]
    )
    for import_id in ids:
        _enqueue_run(import_id)
    if ids:
        logger.warning("result_imports.resumed count=%s", len(ids))
    return len(ids)
