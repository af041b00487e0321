"""What one lab row does to one tube: receive it, result it, or reject it.

Decided in memory on the tube row the batch has locked; the batch saves every
move at once. A row that would change a result the tube already has is refused:
a correction is the desk's, with its audit, never a file's side effect.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext

from screening.models import Visit
from screening.results.codes import code_problem
from screening.results.genotypes import (
    format_types,
    parse_hpv_types,
    types_problem,
    value_for_types,
)
from screening.results.lab_csv import Row
from screening.results.recording import ResultInput
from specimens.lab_import.cells import CellError, parse_reason, parse_time
from specimens.models import Specimen, SpecimenStatus

TEST_OF_KIND = {"hpv": "hpv", "cytology": "cytology"}
BEFORE_RECEIPT = (SpecimenStatus.COLLECTED, SpecimenStatus.DISPATCHED)


class RowRefused(Exception):
    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class TubeRow:
    row: Row
    tube: Specimen | None
    visit: Visit
    now: datetime


@dataclass
class Outcome:
    item: ResultInput | None = None
    moved: bool = False
    reject_reason: str = ""
    error: tuple[str, str] | None = None


def decide(
    tube_row: TubeRow,
    *,
    allowed: dict[str, frozenset[str]],
    current: dict[tuple[int, str], str],
    taken: set[tuple[int, str]],
) -> Outcome:
    """The row's outcome; `taken` collects the (visit, test) pairs this batch
    has already given a result or a rejection, so no pair is written twice."""
    try:
        if tube_row.tube is None:
            return Outcome(item=_plain(tube_row, allowed, taken))
        return _tube(tube_row, allowed, current, taken)
    except RowRefused as refused:
        return Outcome(error=(refused.field, refused.message))


def _time(raw: str, field: str) -> datetime | None:
    try:
        return parse_time(raw)
    except CellError as exc:
        raise RowRefused(field, exc.message) from None


def _take(taken: set[tuple[int, str]], visit: Visit, test: str, row: Row) -> None:
    if (visit.pk, test) in taken:
        raise RowRefused(
            "barcode" if row.barcode else "test",
            gettext("Another row of this file already gives her %(test)s result.")
            % {"test": test},
        )
    taken.add((visit.pk, test))


def _plain(
    tube_row: TubeRow, allowed: dict[str, frozenset[str]], taken: set[tuple[int, str]]
) -> ResultInput:
    """A reference row for a test she gave no tube for: recorded as always."""
    row = tube_row.row
    if row.hpv_types:
        raise RowRefused(
            "hpv_types",
            gettext("Genotypes come with her hrHPV tube: give its barcode."),
        )
    if row.rejection or row.received_at:
        raise RowRefused(
            "barcode",
            gettext("Only a tube can be received or rejected: give its barcode."),
        )
    _take(taken, tube_row.visit, row.test, row)
    return ResultInput(
        visit=tube_row.visit,
        test=row.test,
        value=row.value,
        notes=row.notes,
        row=row.number,
    )


def _tube(
    tube_row: TubeRow,
    allowed: dict[str, frozenset[str]],
    current: dict[tuple[int, str], str],
    taken: set[tuple[int, str]],
) -> Outcome:
    row, tube = tube_row.row, tube_row.tube
    assert tube is not None  # noqa: S101 - the caller sent a tube
    test = TEST_OF_KIND[tube.kind]
    if row.test and row.test != test:
        raise RowRefused(
            "test",
            gettext("The tube %(barcode)s holds a %(kind)s, not %(test)s.")
            % {
                "barcode": tube.barcode,
                "kind": tube.get_kind_display(),
                "test": row.test,
            },
        )
    received = _time(row.received_at, "received_at")
    resulted = _time(row.resulted_at, "resulted_at")
    # By the day: a lab writes minutes, or only the date, so a time earlier the
    # same day may still be after the tube was taken.
    taken_on = timezone.localdate(tube.collected_at)
    for when, field in ((received, "received_at"), (resulted, "resulted_at")):
        if when is not None and timezone.localdate(when) < taken_on:
            raise RowRefused(
                field, gettext("This day is before the day the tube was taken.")
            )
    if tube.status == SpecimenStatus.REJECTED:
        return _again_rejected(row, tube)
    if row.rejection:
        return _reject(row, tube, tube_row.visit, test, taken)
    types = parse_hpv_types(row.hpv_types)
    value = row.value or (value_for_types(types) if test == "hpv" else "")
    if not value and received is not None:
        return Outcome(moved=_receive(tube, received))
    problem = code_problem(test=test, value=value, allowed=allowed)
    if problem is not None:
        raise RowRefused(*problem)
    clash = types_problem(test=test, value=value, types=types)
    if clash is not None:
        raise RowRefused("hpv_types", clash)
    _take(taken, tube_row.visit, test, row)
    item = ResultInput(
        visit=tube_row.visit, test=test, value=value, notes=row.notes, row=row.number
    )
    if tube.status == SpecimenStatus.RESULTED:
        _same_result(tube, current.get((tube.visit_id, test), ""), value, types)
        return Outcome(item=item)
    tube.status = SpecimenStatus.RESULTED
    tube.resulted_at = resulted or tube_row.now
    tube.received_at = tube.received_at or received or tube.resulted_at
    tube.hpv_types = list(types)
    return Outcome(item=item, moved=True)


def _receive(tube: Specimen, received: datetime) -> bool:
    """Booked in by the lab; a tube already received or resulted stays as it is."""
    if tube.status not in BEFORE_RECEIPT:
        return False
    tube.status = SpecimenStatus.RECEIVED
    tube.received_at = received
    return True


def _same_result(tube: Specimen, old: str, value: str, types: tuple[int, ...]) -> None:
    if old == value and list(types) == list(tube.hpv_types):
        return
    shown = old + (f" ({format_types(tube.hpv_types)})" if tube.hpv_types else "")
    raise RowRefused(
        "value",
        gettext(
            "The tube %(barcode)s already has the result %(old)s. A different "
            "result is a correction: make it at the desk."
        )
        % {"barcode": tube.barcode, "old": shown},
    )


def _reject(row: Row, tube: Specimen, visit: Visit, test: str, taken: set) -> Outcome:
    try:
        reason = parse_reason(row.rejection)
    except CellError as exc:
        raise RowRefused("rejection", exc.message) from None
    if row.value or row.hpv_types:
        raise RowRefused(
            "rejection",
            gettext("A rejected tube has no result: leave the result empty."),
        )
    if tube.status == SpecimenStatus.RESULTED:
        raise RowRefused(
            "rejection",
            gettext("This tube already has a result; it cannot be rejected."),
        )
    _take(taken, visit, test, row)
    return Outcome(reject_reason=reason)


def _again_rejected(row: Row, tube: Specimen) -> Outcome:
    """The same rejection twice (a file imported again) changes nothing."""
    if row.rejection and not row.value:
        try:
            if parse_reason(row.rejection) == tube.rejection_reason:
                return Outcome()
        except CellError as exc:
            raise RowRefused("rejection", exc.message) from None
    raise RowRefused(
        "barcode",
        gettext("The tube %(barcode)s was rejected; her new tube has a new barcode.")
        % {"barcode": tube.barcode},
    )
