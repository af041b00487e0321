"""Lab rows matched on the tube's barcode (the booking reference still works).

The screening import calls `rows_match` for each batch inside the batch's
transaction (the project's settings name it: RESULT_IMPORT_ROW_MATCHER). It
returns the results to write; on the way it moves the tubes on (received,
resulted) and rejects the ones the lab rejected, in that same transaction, so a
batch that fails leaves neither its results nor its tubes behind.
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from common.audit import audit_record
from screening.models import ResultImport, Visit
from screening.results.codes import allowed_codes
from screening.results.lab_csv import Row
from screening.results.recording import ResultInput
from screening.results.row_matching import (
    AddError,
    current_result_values,
    locked_visits,
    unknown_reference,
)
from specimens.lab_import.tube_rows import TubeRow, decide
from specimens.models import Specimen, SpecimenStatus
from specimens.services import specimen_reject

KIND_OF_TEST = {"hpv": "hpv", "cytology": "cytology"}
# One statement per batch: Django's bulk_update builds a CASE per row and
# field, which costs more than the rest of the import together.
UPDATE_MOVED = f"""
UPDATE {Specimen._meta.db_table} AS tube
SET status = moved.status,
    received_at = moved.received_at,
    resulted_at = moved.resulted_at,
    hpv_types = string_to_array(moved.hpv_types, ';')::smallint[]
FROM (
    SELECT unnest(%s::bigint[]) AS id,
           unnest(%s::text[]) AS status,
           unnest(%s::timestamptz[]) AS received_at,
           unnest(%s::timestamptz[]) AS resulted_at,
           unnest(%s::text[]) AS hpv_types
) AS moved
WHERE tube.id = moved.id
"""  # noqa: S608 - the table name is the model's own, every value a parameter


@dataclass
class _Batch:
    visits: dict[int, Visit]
    by_reference: dict[str, Visit]
    by_barcode: dict[str, Specimen]
    live: dict[tuple[int, str], Specimen]
    current: dict[tuple[int, str], str]
    taken: set[tuple[int, str]] = field(default_factory=set)


def _load(batch: list[Row], site_ids: list[int] | None) -> _Batch:
    barcodes = {row.barcode for row in batch if row.barcode}
    references = {row.reference for row in batch if not row.barcode and row.reference}
    # Which visits the tubes are of, read before any lock is taken, so the visits
    # can be locked first and in id order like every other multi-visit write.
    tube_visits = set(
        Specimen.objects.filter(barcode__in=barcodes).values_list("visit_id", flat=True)
    )
    visits = locked_visits(ids=tube_visits, references=references, site_ids=site_ids)
    by_id = {visit.pk: visit for visit in visits}
    # Then their tubes, so a desk rejecting or booking in a tube while this batch
    # results it waits for the batch instead of being overwritten by it.
    tubes = list(
        Specimen.objects.select_for_update()
        .filter(visit_id__in=by_id)
        .filter(Q(barcode__in=barcodes) | ~Q(status=SpecimenStatus.REJECTED))
        .order_by("pk")
    )
    return _Batch(
        visits=by_id,
        by_reference={visit.reference: visit for visit in visits},
        by_barcode={tube.barcode: tube for tube in tubes if tube.barcode in barcodes},
        live={
            (tube.visit_id, tube.kind): tube
            for tube in tubes
            if tube.status != SpecimenStatus.REJECTED
        },
        current=current_result_values(visit_ids=list(by_id)),
    )


def _tube_and_visit(row: Row, loaded: _Batch) -> tuple[Specimen | None, Visit | None]:
    if row.barcode:
        tube = loaded.by_barcode.get(row.barcode)
        if tube is None:
            return None, None
        return tube, loaded.visits.get(tube.visit_id)
    visit = loaded.by_reference.get(row.reference)
    if visit is None:
        return None, None
    return loaded.live.get((visit.pk, KIND_OF_TEST.get(row.test, ""))), visit


def rows_match(
    *, batch: list[Row], result_import: ResultImport, add_error: AddError
) -> list[ResultInput]:
    loaded = _load(batch, result_import.site_ids)
    allowed = allowed_codes()
    now = timezone.now()
    items: list[ResultInput] = []
    moved: dict[int, Specimen] = {}
    rejections: list[tuple[int, str]] = []
    for row in batch:
        tube, visit = _tube_and_visit(row, loaded)
        if visit is None:
            add_error(row, *_unknown(row))
            continue
        outcome = decide(
            TubeRow(row=row, tube=tube, visit=visit, now=now),
            allowed=allowed,
            current=loaded.current,
            taken=loaded.taken,
        )
        if outcome.error is not None:
            add_error(row, *outcome.error)
            continue
        if outcome.moved and tube is not None:
            moved[tube.pk] = tube
        if outcome.reject_reason and tube is not None:
            rejections.append((tube.pk, outcome.reject_reason))
        if outcome.item is not None:
            items.append(outcome.item)
    _save_moves(list(moved.values()), result_import)
    for tube_id, reason in rejections:
        # The service opens her recollection and asks her back, once per tube.
        specimen_reject(
            specimen_id=tube_id,
            reason=reason,
            by=result_import.created_by,
            site_ids=result_import.site_ids,
        )
    return items


def _unknown(row: Row) -> tuple[str, str]:
    if row.barcode:
        # Another site's tube reads exactly like no tube: the row learns nothing.
        return "barcode", gettext("No tube has the barcode %(barcode)s.") % {
            "barcode": row.barcode[:16]
        }
    return "reference", unknown_reference(row)


def _update_moved(tubes: list[Specimen]) -> None:
    if connection.vendor != "postgresql":
        # The embedded database of `make run` (ADR 0011) has no arrays to
        # unnest; a demo's few rows do not need the one-statement batch.
        Specimen.objects.bulk_update(
            tubes, ["status", "received_at", "resulted_at", "hpv_types"]
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            UPDATE_MOVED,
            [
                [tube.pk for tube in tubes],
                [tube.status for tube in tubes],
                [tube.received_at for tube in tubes],
                [tube.resulted_at for tube in tubes],
                [";".join(map(str, tube.hpv_types)) for tube in tubes],
            ],
        )


def _save_moves(tubes: list[Specimen], result_import: ResultImport) -> None:
    """The batch's tube moves, and one audit event naming every tube moved: the
    import is one act of its uploader, and a row per tube would double the
    audit rows the results already write."""
    if not tubes:
        return
    _update_moved(tubes)
    moved: dict[str, list[int]] = {}
    for tube in tubes:
        moved.setdefault(tube.status, []).append(tube.pk)
    audit_record(
        actor=result_import.created_by,
        action="specimens.moved_by_import",
        obj_type="result_import",
        obj_id=result_import.pk,
        details=moved,
    )
