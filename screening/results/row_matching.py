"""Which visit each lab row is for. The default reads the booking reference;
the project's settings may name another (RESULT_IMPORT_ROW_MATCHER), such as
the one that reads tube barcodes in a layer above this app, which this app
never imports."""

from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from screening.models import Result, ResultImport, Visit
from screening.results.lab_csv import Row
from screening.results.recording import ResultInput

AddError = Callable[[Row, str, str], None]


class RowMatcher(Protocol):
    def __call__(
        self, *, batch: list[Row], result_import: ResultImport, add_error: AddError
    ) -> list[ResultInput]: ...


def locked_visits(
    *, ids: set[int], references: set[str], site_ids: list[int] | None
) -> list[Visit]:
    """The checked-in visits named, row-locked in id order, like every
    multi-visit write, so batches and desk recordings of the same visits queue
    instead of deadlocking. Another site's visit is left out: to the row it
    reads as unknown."""
    visits = Visit.objects.select_for_update().filter(
        Q(pk__in=ids) | Q(reference__in=references), undone_at__isnull=True
    )
    if site_ids is not None:
        visits = visits.filter(site_id__in=site_ids)
    return list(visits.order_by("pk").only("pk", "reference", "undone_at", "site_id"))


def current_result_values(*, visit_ids: list[int]) -> dict[tuple[int, str], str]:
    """(visit, test) -> the current result code, for the visits of a batch."""
    return {
        (visit_id, test): value
        for visit_id, test, value in Result.objects.filter(
            visit_id__in=visit_ids, is_current=True
        ).values_list("visit_id", "test", "value")
    }


def unknown_reference(row: Row) -> str:
    return gettext("No checked-in visit has the reference %(reference)s.") % {
        "reference": row.reference
    }


def rows_match_by_reference(
    *, batch: list[Row], result_import: ResultImport, add_error: AddError
) -> list[ResultInput]:
    """Rows matched on the booking reference; called inside the batch's
    transaction."""
    visits = locked_visits(
        ids=set(),
        references={row.reference for row in batch if row.reference},
        site_ids=result_import.site_ids,
    )
    by_reference = {visit.reference: visit for visit in visits}
    items: list[ResultInput] = []
    for row in batch:
        visit = by_reference.get(row.reference)
        if visit is None:
            field = "barcode" if row.barcode else "reference"
            add_error(row, field, unknown_reference(row))
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
    return items


def row_matcher() -> Any:
    path = getattr(settings, "RESULT_IMPORT_ROW_MATCHER", "")
    return import_string(path) if path else rows_match_by_reference
