"""Turnaround from collection to result (SPEC §8.1): p50/p90 and the share of
tubes resulted within 14 and 28 days, per site and test.

The desk sees its own sites exactly. The union sees one campaign as a whole
(no date range to difference), through common.suppression and common.cellkey:
each tube falls in one band (within 14 days, 15-28, later or not yet), every
published count is a sum of cell-key-rounded (band, collection day) atoms, so
any sum or difference of published counts is a multiple of the base and never
one woman; a group's percentiles, in whole days, only when its tubes are
shown and ten or more results are back."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from common.cellkey import Atom, mask_perturbed, published
from common.suppression import (
    OUTCOME_THRESHOLD,
    TOTAL,
    Rate,
    SuppressedTable,
    Table,
    suppress_table,
)
from specimens.models import Specimen, SpecimenStatus

BANDS = ("within_14", "days_15_28", "later")
MEASURES = ("tubes", "within_14", "within_28", "days_15_28", "later")
# Published counts on top of the bands; the bands' relations are declared.
ROW_RELATIONS = (
    (("within_28",), ("within_14", "days_15_28")),
    (("tubes",), ("within_28", "later")),
)
RATES = {
    "share_14": Rate("within_14", ("tubes",)),
    "share_28": Rate("within_28", ("tubes",)),
}
DAY = timedelta(days=1)


@dataclass
class Turnaround:
    site_id: int
    site_name: str
    kind: str
    tubes: int
    resulted: int
    within_14: int
    within_28: int
    p50_days: float | None
    p90_days: float | None

    @property
    def share_14(self) -> float | None:
        return self.within_14 / self.tubes if self.tubes else None

    @property
    def share_28(self) -> float | None:
        return self.within_28 / self.tubes if self.tubes else None


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = q * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _band(collected_at: datetime, resulted_at: datetime | None) -> str:
    if resulted_at is None:
        return "later"
    taken = resulted_at - collected_at
    if taken <= 14 * DAY:
        return "within_14"
    return "days_15_28" if taken <= 28 * DAY else "later"


def _tubes(**filters: Any) -> Iterable[tuple]:
    # A rejected tube was never going to be resulted; its recollection counts.
    return (
        Specimen.objects.filter(**filters)
        .exclude(status=SpecimenStatus.REJECTED)
        .values_list(
            "visit__site_id",
            "visit__site_name",
            "kind",
            "collected_at",
            "resulted_at",
            "visit__participant__report_key",
        )
        .order_by()
        .iterator(chunk_size=5000)
    )


def _summarise(key: tuple[int, str, str], rows: list[tuple]) -> Turnaround:
    days = [
        (resulted - collected) / DAY
        for _, _, _, collected, resulted, _ in rows
        if resulted
    ]
    bands = [_band(row[3], row[4]) for row in rows]
    within_14 = bands.count("within_14")
    return Turnaround(
        site_id=key[0],
        site_name=key[1],
        kind=key[2],
        tubes=len(rows),
        resulted=len(days),
        within_14=within_14,
        within_28=within_14 + bands.count("days_15_28"),
        p50_days=percentile(days, 0.5),
        p90_days=percentile(days, 0.9),
    )


def turnaround_exact(
    *, site_ids: list[int] | None, start: date, end: date
) -> list[Turnaround]:
    """Per site and test, tubes collected from `start` to `end` (local days)."""
    zone = timezone.get_current_timezone()
    filters: dict[str, Any] = {
        "collected_at__gte": datetime.combine(start, datetime.min.time(), tzinfo=zone),
        "collected_at__lt": datetime.combine(
            end + DAY, datetime.min.time(), tzinfo=zone
        ),
    }
    if site_ids is not None:
        filters["visit__site_id__in"] = site_ids
    groups: dict[tuple[int, str, str], list[tuple]] = defaultdict(list)
    for row in _tubes(**filters):
        groups[(row[0], row[1], row[2])].append(row)
    return [_summarise(key, rows) for key, rows in sorted(groups.items())]


@dataclass
class UnionTurnaround:
    table: SuppressedTable
    labels: dict[str, tuple[str, str]]
    percentiles: dict[str, tuple[int | None, int | None]]


def _atoms(rows: list[tuple]) -> dict[str, list[Atom]]:
    """Per measure, its (band, collection day) atoms."""
    by_band_day: dict[tuple[str, date], Atom] = defaultdict(Atom)
    for _, _, _, collected, resulted, key in rows:
        day = timezone.localtime(collected).date()
        by_band_day[(_band(collected, resulted), day)] += Atom(1, key)
    atoms: dict[str, list[Atom]] = {band: [] for band in BANDS}
    for (band, _day), atom in sorted(by_band_day.items()):
        atoms[band].append(atom)
    atoms["within_28"] = atoms["within_14"] + atoms["days_15_28"]
    atoms["tubes"] = atoms["within_28"] + atoms["later"]
    return atoms


def _table(groups: dict[str, list[tuple]], values: Any) -> Table:
    every = [row for rows in groups.values() for row in rows]
    return Table(
        groups={name: values(rows) for name, rows in groups.items()},
        total=values(every),
        row_relations=ROW_RELATIONS,
        rates=RATES,
    )


def _true(rows: list[tuple]) -> dict[str, int]:
    return {m: len(a) for m, a in _counts(rows).items()}


def _counts(rows: list[tuple]) -> dict[str, list[tuple]]:
    bands: dict[str, list[tuple]] = {band: [] for band in BANDS}
    for row in rows:
        bands[_band(row[3], row[4])].append(row)
    bands["within_28"] = bands["within_14"] + bands["days_15_28"]
    bands["tubes"] = bands["within_28"] + bands["later"]
    return bands


def _perturbed(rows: list[tuple]) -> dict[str, int]:
    return {
        m: published(atoms, base=OUTCOME_THRESHOLD) for m, atoms in _atoms(rows).items()
    }


def _whole_days(rows: list[tuple]) -> tuple[int | None, int | None]:
    summary = _summarise((0, "", ""), rows)
    return (
        round(summary.p50_days) if summary.p50_days is not None else None,
        round(summary.p90_days) if summary.p90_days is not None else None,
    )


def turnaround_for_union(*, campaign_id: int) -> UnionTurnaround:
    """The campaign's turnaround per site and test, suppressed and rounded."""
    groups: dict[str, list[tuple]] = defaultdict(list)
    labels: dict[str, tuple[str, str]] = {}
    for row in _tubes(visit__campaign_id=campaign_id):
        name = f"{row[0]}:{row[2]}"
        groups[name].append(row)
        labels[name] = (row[1], row[2])
    groups = dict(sorted(groups.items()))
    hidden = suppress_table(_table(groups, _true), threshold=OUTCOME_THRESHOLD)
    table = mask_perturbed(hidden, _table(groups, _perturbed))
    percentiles = {}
    for name, rows in [
        *groups.items(),
        (TOTAL, [r for g in groups.values() for r in g]),
    ]:
        cells = table.total if name == TOTAL else table.groups[name]
        # A percentile of a small group comes close to one woman's days: shown
        # only where the group's tubes are and ten or more results are back.
        resulted = sum(1 for row in rows if row[4] is not None)
        shown = not cells["tubes"].suppressed and resulted >= OUTCOME_THRESHOLD
        percentiles[name] = _whole_days(rows) if shown else (None, None)
    return UnionTurnaround(table=table, labels=labels, percentiles=percentiles)
