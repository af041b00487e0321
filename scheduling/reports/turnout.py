"""Turnout of a campaign, counted by the database and suppressed before it leaves.

Definitions (SPEC §1 union staff, DOMAIN §1.6):

- **registered**: women who registered for the campaign. Participants carry no
  campaign, so the cohort is every participant with an appointment in the campaign
  (in any status, so a woman who cancelled still registered) together with every
  participant whose profile was created inside the campaign's registration window
  (she signed up for it but has not booked, or could not). With ``from``/``to`` it
  is the part of that cohort whose registration day falls in the range.
- **booked**: appointments in the campaign that were not cancelled (waiting,
  checked in, screened or missed). At most one is active per woman, so these are
  women, except that one who missed her visit and booked again counts twice.
- **checked_in**: appointments she arrived for (checked in or already screened).
- **screened**, **no_show**, **cancelled**: appointments in that status.
- **quota_used**: funded places taken in the whole campaign (active appointments),
  whatever the range, against the campaign's ``quota``.
- **turnout_rate** = checked_in / (checked_in + no_show): of the visits whose time
  has come, the share she came to. A booking still ahead is not due and stays out
  of both sides; a booking counts as missed once the no-show job has marked it
  (``NO_SHOW_AFTER_MINUTES`` after its slot ends). Over all bookings the rate
  would sink towards zero mid-campaign, with most visits still to come.
  **no_show_rate** = no_show / (checked_in + no_show), so the two add up to 1.

``from`` and ``to`` select appointments by the **day of their slot** (the visit day,
in the project's time zone) and registrations by the **day she registered**.
The daily series puts each event on its own day: a registration on the day she
registered, a booking on the day it was made, a check-in on the day she arrived.

Breakdowns (``group_by``) partition the same appointments, so every column adds up
to the totals row, which is what the complementary suppression relies on. Site and
day describe appointments, not women, so those breakdowns carry no registered
column.

Every number comes from aggregate SQL; no row about a person is loaded into
Python. On PostgreSQL the report sums the trigger-kept rollup
(`scheduling.reports.rollup`), whose cost is bounded by days x groups; elsewhere
(SQLite in the embedded mode) it runs GROUP BY with COUNT ... FILTER over the
tables. A test holds the two to the same numbers.

Anonymisation keeps birth year, district and employment type but moves the birth
date to 1 January, so an anonymised woman may move up one age band.

What leaves is perturbed (`common.cellkey`, docs/adr/0012): every cell is the sum
of its days' atoms (`scheduling.reports.turnout_atoms`), each rounded by its cell
key to a multiple of 5 (of 10 for checked_in, screened and check_ins, which the
outcome report's "screened" counts too). The totals row adds up the groups'
published counts, so a table adds up; rates come from the published counts.
Suppression decides on the true counts, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from common.cellkey import Atom, mask_perturbed, published
from common.report_reads import replica_lag_seconds, report_reads
from common.suppression import (
    OUTCOME_THRESHOLD,
    TURNOUT_THRESHOLD,
    Cell,
    Rate,
    Table,
    suppress_table,
)
from scheduling.errors import CampaignNotFound
from scheduling.reports.errors import InvalidGroupBy
from scheduling.reports.groups import (
    group_key_text,
    group_labels,
    group_sort_key,
)
from scheduling.reports.ranges import parse_report_range as parse_report_range
from scheduling.reports.turnout_atoms import PERSON_GROUPS, Counts, collect
from screening.models import Campaign

GROUP_BYS = ("employment_type", "district", "site", "day", "age_band")
APPOINTMENT_MEASURES = ("booked", "checked_in", "screened", "no_show", "cancelled")
MEASURES = ("registered", *APPOINTMENT_MEASURES)
# Over the visits that are due (checked in or missed), never over every booking.
DUE = ("checked_in", "no_show")
RATES = {
    "turnout_rate": Rate("checked_in", DUE),
    "no_show_rate": Rate("no_show", DUE),
}
SERIES_MEASURES = ("registrations", "bookings", "check_ins")
# The rounding base of each published count (common.cellkey): the threshold, but
# the outcome report's for the women who came, since its "screened" counts them
# too and hides 5 to 9 of them.
BASES = {
    name: OUTCOME_THRESHOLD
    if name in ("checked_in", "screened", "check_ins")
    else TURNOUT_THRESHOLD
    for name in (*MEASURES, "quota_used", *SERIES_MEASURES)
}


@dataclass(frozen=True)
class GroupRow:
    key: str
    label: str
    cells: dict[str, Cell]


@dataclass(frozen=True)
class TurnoutReport:
    campaign: Campaign
    date_from: date | None
    date_to: date | None
    group_by: str | None
    threshold: int
    quota: int
    totals: dict[str, Cell]
    groups: list[GroupRow]
    group_measures: tuple[str, ...]
    series: list[GroupRow]
    # Seconds the reports replica was behind the primary; None on the primary.
    lag_seconds: float | None = None


def campaign_get_for_report(*, campaign_id: int | str | None) -> Campaign:
    try:
        pk = int(campaign_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CampaignNotFound from None
    campaign = Campaign.objects.filter(pk=pk).first()
    if campaign is None:
        raise CampaignNotFound
    return campaign


def parse_group_by(raw: str | None) -> str | None:
    if not raw:
        return None
    if raw not in GROUP_BYS:
        raise InvalidGroupBy
    return raw


@dataclass(frozen=True)
class TurnoutCounts:
    """The raw counts before suppression: never leaves the server. ``published``
    holds the same cells perturbed (common.cellkey), which suppression then masks."""

    table: Table
    keys: list[Any]
    series: dict[str, dict[date, int]]
    published: Table
    published_series: dict[str, dict[date, int]]


def turnout_counts(
    *,
    campaign: Campaign,
    group_by: str | None,
    date_from: date | None,
    date_to: date | None,
    use_rollup: bool = True,
) -> TurnoutCounts:
    """Unsuppressed counts; `turnout_report` is what callers publish.

    On PostgreSQL the counts come from the trigger-kept rollup
    (`scheduling.reports.rollup`); elsewhere, or with ``use_rollup=False``, from
    aggregates over the tables themselves. Both give the same numbers, and the
    same record-key sums, so the same perturbed counts.
    """
    if group_by is not None and group_by not in GROUP_BYS:
        raise InvalidGroupBy
    counts = collect(
        campaign=campaign,
        group_by=group_by,
        date_from=date_from,
        date_to=date_to,
        use_rollup=use_rollup,
    )
    registered, registrations_per_day = _registered(counts)
    keys = _group_keys(counts, registered, group_by, campaign)
    raw = _tables(counts, registered, keys, group_by)
    bookings, check_ins = counts.activity
    series = {
        "registrations": registrations_per_day,
        "bookings": bookings,
        "check_ins": check_ins,
    }
    return TurnoutCounts(
        table=raw.table(perturb=False),
        keys=keys,
        series={m: {d: a.n for d, a in days.items()} for m, days in series.items()},
        published=raw.table(perturb=True),
        published_series={
            m: {d: published([a], base=BASES[m]) for d, a in days.items()}
            for m, days in series.items()
        },
    )


def _registered(counts: Counts) -> tuple[dict[Any, list[Atom]], dict[date, Atom]]:
    """Registrations' atoms per person group, and their sum per day."""
    registered: dict[Any, list[Atom]] = {}
    registrations_per_day: dict[date, Atom] = {}
    for (day, key), atom in counts.registrations.items():
        registered.setdefault(key, []).append(atom)
        registrations_per_day[day] = registrations_per_day.get(day, Atom()) + atom
    return registered, registrations_per_day


def _group_keys(
    counts: Counts,
    registered: dict[Any, list[Atom]],
    group_by: str | None,
    campaign: Campaign,
) -> list[Any]:
    """The table's groups in their order; none when the table is not grouped."""
    if group_by is None:
        return []
    person_keys = registered if group_by in PERSON_GROUPS else {}
    keys = list(dict.fromkeys([*counts.appointments, *person_keys]))
    keys.sort(key=group_sort_key(group_by, campaign))
    return keys


@dataclass(frozen=True)
class _Tables:
    """The turnout table, either true or perturbed, from the same atoms."""

    groups: dict[Any, dict[str, list[Atom]]]
    total: dict[str, list[Atom]]
    registered: list[Atom]
    counts: Counts

    def table(self, *, perturb: bool) -> Table:
        def value(measure: str, atoms: list[Atom]) -> int:
            if perturb:
                return published(atoms, base=BASES[measure])
            return sum(atom.n for atom in atoms)

        groups = {
            key: {m: value(m, atoms) for m, atoms in measures.items()}
            for key, measures in self.groups.items()
        }
        if not groups and self.total:
            total = {m: value(m, atoms) for m, atoms in self.total.items()}
        else:
            # The totals row adds up the groups, perturbed or not: a table adds up.
            total = {
                "registered": value("registered", self.registered),
                **{m: sum(g[m] for g in groups.values()) for m in APPOINTMENT_MEASURES},
            }
            if any("registered" in g for g in groups.values()):
                total["registered"] = sum(g["registered"] for g in groups.values())
        total["quota_used"] = value("quota_used", list(self.counts.quota_used.values()))
        return Table(
            groups={group_key_text(k): v for k, v in groups.items()},
            total=total,
            # Outside a date range every booking is either still active or missed.
            row_relations=[(("booked",), ("quota_used", "no_show"))],
            rates=RATES,
        )


def _tables(
    counts: Counts,
    registered: dict[Any, list[Atom]],
    keys: list[Any],
    group_by: str | None,
) -> _Tables:
    """Each group's atoms per measure, and the total's when not grouped."""
    with_registered = group_by is None or group_by in PERSON_GROUPS

    def row(key: Any) -> dict[str, list[Atom]]:
        found = counts.appointments.get(key, {})
        values = {m: list(found.get(m, {}).values()) for m in APPOINTMENT_MEASURES}
        if with_registered:
            return {"registered": registered.get(key, []), **values}
        return values

    atoms = {key: row(key) for key in keys}
    total_atoms = row(None) if group_by is None else {}
    return _Tables(atoms, total_atoms, registered.get(None, []), counts)


def turnout_report(
    *,
    campaign: Campaign,
    group_by: str | None,
    date_from: date | None,
    date_to: date | None,
    use_rollup: bool = True,
) -> TurnoutReport:
    """The campaign's turnout, perturbed (common.cellkey) and suppressed
    (threshold 5). See the module docstring. Read from the reports replica
    when there is one (common.report_reads)."""
    with report_reads() as alias:
        lag = replica_lag_seconds(alias)
        counts = turnout_counts(
            campaign=campaign,
            group_by=group_by,
            date_from=date_from,
            date_to=date_to,
            use_rollup=use_rollup,
        )
        labels = group_labels(group_by, campaign, counts.keys)
    suppressed = mask_perturbed(
        suppress_table(counts.table, threshold=TURNOUT_THRESHOLD), counts.published
    )
    return TurnoutReport(
        campaign=campaign,
        date_from=date_from,
        date_to=date_to,
        group_by=group_by,
        threshold=TURNOUT_THRESHOLD,
        quota=campaign.quota,
        totals=suppressed.total,
        groups=[
            GroupRow(
                key=group_key_text(k),
                label=labels.get(k, group_key_text(k)),
                cells=suppressed.groups[group_key_text(k)],
            )
            for k in counts.keys
        ],
        group_measures=(
            MEASURES
            if group_by is None or group_by in PERSON_GROUPS
            else APPOINTMENT_MEASURES
        ),
        series=_series(counts.series, counts.published_series),
        lag_seconds=lag,
    )


def _series(
    columns: dict[str, dict[date, int]], perturbed: dict[str, dict[date, int]]
) -> list[GroupRow]:
    """Registrations, bookings and check-ins per day, each on the day it happened."""
    days = sorted(set().union(*columns.values()))

    def table(source: dict[str, dict[date, int]]) -> dict[str, dict[str, int]]:
        return {
            day.isoformat(): {m: source[m].get(day, 0) for m in SERIES_MEASURES}
            for day in days
        }

    groups = table(columns)
    # The columns add up to published totals (every registration of the cohort, …),
    # so they are suppressed as a table with a totals row.
    total = {m: sum(g[m] for g in groups.values()) for m in SERIES_MEASURES}
    shown = table(perturbed)
    suppressed = mask_perturbed(
        suppress_table(Table(groups=groups, total=total), threshold=TURNOUT_THRESHOLD),
        Table(
            groups=shown,
            total={m: sum(g[m] for g in shown.values()) for m in SERIES_MEASURES},
        ),
    )
    return [
        GroupRow(key=key, label=key, cells=cells)
        for key, cells in suppressed.groups.items()
    ]


def report_as_dict(report: TurnoutReport) -> dict[str, Any]:
    """The API's and the exports' shape: every count is {value, suppressed}."""

    def cells(values: Mapping[str, Cell]) -> dict[str, Any]:
        return {name: cell.as_dict() for name, cell in values.items()}

    return {
        "campaign": {"id": report.campaign.pk, "name": report.campaign.name},
        "from": report.date_from,
        "to": report.date_to,
        "group_by": report.group_by,
        "threshold": report.threshold,
        "quota": report.quota,
        "totals": cells(report.totals),
        "groups": [
            {"key": g.key, "label": g.label, **cells(g.cells)} for g in report.groups
        ],
        "series": [{"day": s.key, **cells(s.cells)} for s in report.series],
        "replica_lag_seconds": report.lag_seconds,
    }
