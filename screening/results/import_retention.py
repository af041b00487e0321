"""How long what is kept of a lab import lives, and her erasure from it.

- The file goes when its run ends (screening.results.imports); a run that never
  ends gives it up after RESULT_IMPORT_FILE_DAYS (default 2) and fails.
- The row errors go RESULT_IMPORT_ERRORS_DAYS (default 30) after the run ended;
  the counts stay.
- A woman's erasure drops every row error that names one of her references.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from screening.models import ImportStatus, ResultImport

DEFAULT_FILE_DAYS = 2
DEFAULT_ERRORS_DAYS = 30
FINISHED = (ImportStatus.DONE, ImportStatus.FAILED)


@dataclass
class ImportPurgeCounts:
    files_erased: int = 0
    errors_erased: int = 0


def _days(name: str, default: int) -> timedelta:
    return timedelta(days=int(getattr(settings, name, default)))


def result_imports_purge(*, dry_run: bool = False) -> ImportPurgeCounts:
    """Erase files and row errors past their time; with `dry_run`, only count."""
    now = timezone.now()
    counts = ImportPurgeCounts()
    # The worker erases the file when a run ends; a file still there belongs to
    # a run that ended without it (an older release) or never ended.
    with_file = ResultImport.objects.filter(content__isnull=False)
    finished = with_file.filter(status__in=FINISHED)
    stuck = with_file.exclude(status__in=FINISHED).filter(
        created_at__lt=now - _days("RESULT_IMPORT_FILE_DAYS", DEFAULT_FILE_DAYS)
    )
    errors_cutoff = now - _days("RESULT_IMPORT_ERRORS_DAYS", DEFAULT_ERRORS_DAYS)
    old_errors = ResultImport.objects.filter(
        finished_at__lt=errors_cutoff, error_count__gt=0, errors_erased_at=None
    )
    if dry_run:
        counts.files_erased = finished.count() + stuck.count()
        counts.errors_erased = old_errors.count()
        return counts
    counts.files_erased = finished.update(content=None)
    counts.files_erased += stuck.update(
        content=None,
        status=ImportStatus.FAILED,
        message=gettext("The import did not finish in time. Upload the file again."),
        finished_at=now,
    )
    counts.errors_erased = old_errors.update(errors=[], errors_erased_at=now)
    return counts


def result_imports_forget_references(*, references: Collection[str]) -> int:
    """Drop every kept row error naming one of `references` (her erasure).
    Errors are sealed, so each import still holding some is opened in turn;
    retention bounds how many that is. Returns how many imports changed."""
    wanted = {reference.upper() for reference in references if reference}
    if not wanted:
        return 0
    changed = 0
    holding = ResultImport.objects.filter(error_count__gt=0, errors_erased_at=None)
    for import_id in holding.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            # Locked: a batch of the same run writes the list in the meantime.
            row = (
                ResultImport.objects.select_for_update()
                .only("pk", "errors")
                .get(pk=import_id)
            )
            kept = [e for e in row.errors if e.get("reference") not in wanted]
            if len(kept) != len(row.errors):
                ResultImport.objects.filter(pk=import_id).update(errors=kept)
                changed += 1
    return changed
