"""Lab CSV imports: upload once, then a worker records the rows in batches.

How the file is read lives in screening.results.lab_csv, its run in
screening.results.import_run. What is kept of it:
the file itself, sealed, only until its run ends; a keyed hash of it, so the
same upload twice is one import; the row errors, sealed, naming the row, the
column and the reference but never a note's text.
"""

import hashlib
import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from common.audit import audit_record
from common.crypto import keyed_hash, keyed_hash_candidates
from common.enqueue import task_named
from screening.errors import ResultImportInvalid
from screening.models import ImportStatus, ResultImport
from screening.results.import_run import (
    STALE_AFTER,
    SUMMARY_COMPUTE_MANY_TASK,
    result_import_run,
)
from screening.results.lab_csv import (
    ImportFileError,
    check_file,
)

logger = logging.getLogger(__name__)

# The run is named here too: the tasks start it from this module.
__all__ = [
    "DEFAULT_MAX_BYTES",
    "RESULT_IMPORT_RUN_TASK",
    "SUMMARY_COMPUTE_MANY_TASK",
    "result_import_create",
    "result_import_run",
    "result_imports_resume_stale",
]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
FILE_HASH_PURPOSE = "result_import"


def result_import_create(
    *, uploaded_file: UploadedFile, by: Any, site_ids: list[int] | None = None
) -> ResultImport:
    """Store an uploaded lab CSV and have a worker import it after commit.

    With `site_ids`, rows are recorded only for visits at those sites: clinic
    staff write results for their own sites and nobody else's.

    The same bytes uploaded again by the same uploader for the same sites
    return the first import and change nothing.
    Raises ResultImportInvalid (400) for a file that is empty, too large, binary,
    not UTF-8 or GBK text, or without the required columns.
    """
    content, sha256 = _read_upload(uploaded_file)
    file_hash = keyed_hash(sha256, purpose=FILE_HASH_PURPOSE)
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    sites = None if site_ids is None else sorted(set(site_ids))
    existing = _same_upload(
        keyed_hash_candidates(sha256, purpose=FILE_HASH_PURPOSE),
        actor=actor,
        sites=sites,
    )
    if existing is not None:
        return existing
    try:
        encoding = check_file(content)
    except ImportFileError as exc:
        code = "empty_file" if not content.strip() else "not_csv"
        raise ResultImportInvalid(exc.message, code=code) from None
    return _import_stored(
        uploaded_file=uploaded_file,
        by=by,
        actor=actor,
        sites=sites,
        content=content,
        encoding=encoding,
        file_hash=file_hash,
    )


def _import_stored(
    *,
    uploaded_file: UploadedFile,
    by: Any,
    actor: Any,
    sites: list[int] | None,
    content: bytes,
    encoding: str,
    file_hash: str,
) -> ResultImport:
    """The import's row, audited, its run enqueued after commit; the same upload
    twice at once gives the one the unique constraint kept."""
    try:
        with transaction.atomic():
            result_import = ResultImport.objects.create(
                created_by=actor,
                site_ids=sites,
                filename=(getattr(uploaded_file, "name", "") or "")[-200:],
                file_hash=file_hash,
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
        # The same upload twice at once: the unique constraint kept one.
        kept = _same_upload([file_hash], actor=actor, sites=sites)
        if kept is None:
            raise
        return kept
    logger.info("result_imports.created id=%s size=%s", result_import.pk, len(content))
    return result_import


def _read_upload(uploaded_file: UploadedFile) -> tuple[bytes, str]:
    """The file's bytes and their sha256, refused past RESULT_IMPORT_MAX_BYTES."""
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
    return bytes(buffer), digest.hexdigest()


def _same_upload(
    hashes: list[str], *, actor: Any, sites: list[int] | None
) -> ResultImport | None:
    """The earlier import of this file by this uploader for these sites. Keyed
    per uploader and sites: another site's nurse with the same file must have
    her rows recorded, not be handed the first nurse's import."""
    uploads = ResultImport.objects.defer("content").filter(file_hash__in=hashes)
    uploads = (
        uploads.filter(created_by__isnull=True)
        if actor is None
        else uploads.filter(created_by=actor)
    )
    # A JSON field compared with None matches JSON null, not a missing value.
    uploads = (
        uploads.filter(site_ids__isnull=True)
        if sites is None
        else uploads.filter(site_ids=sites)
    )
    return uploads.first()


# Started by name (see common.enqueue): screening.tasks imports this module.
RESULT_IMPORT_RUN_TASK = "screening.result_import_run"


def _enqueue_run(import_id: int) -> None:
    task_named(RESULT_IMPORT_RUN_TASK).delay(import_id)


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
