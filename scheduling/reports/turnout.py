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
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from common.suppression import (
    TOTAL,
    TURNOUT_THRESHOLD,
    Cell,
    Rate,
    Table,
    suppress_table,
)
from scheduling.errors import CampaignNotFound
from scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus, Site
from scheduling.reports import rollup
from scheduling.reports.errors import InvalidDateRange, InvalidGroupBy
from scheduling.selectors import campaign_active_appointments
from screening.models import Campaign, District, EmploymentType, Participant

GROUP_BYS = ("employment_type", "district", "site", "day", "age_band")
# Groups that describe the woman rather than her appointment.
PERSON_GROUPS = frozenset({"employment_type", "district", "age_band"})
APPOINTMENT_MEASURES = ("booked", "checked_in", "screened", "no_show", "cancelled")
MEASURES = ("registered", *APPOINTMENT_MEASURES)
# Over the visits that are due (checked in or missed), never over every booking.
DUE = ("checked_in", "no_show")
RATES = {
    "turnout_rate": Rate("checked_in", DUE),
    "no_show_rate": Rate("no_show", DUE),
}
SERIES_MEASURES = ("registrations", "bookings", "check_ins")

_S = AppointmentStatus
_NOT_CANCELLED = (_S.BOOKED, _S.CHECKED_IN, _S.SCREENED, _S.NO_SHOW)
_AGGREGATES = {
    "booked": Count("pk", filter=~Q(status=_S.CANCELLED)),
    "checked_in": Count("pk", filter=Q(status__in=[_S.CHECKED_IN, _S.SCREENED])),
    "screened": Count("pk", filter=Q(status=_S.SCREENED)),
    "no_show": Count("pk", filter=Q(status=_S.NO_SHOW)),
    "cancelled": Count("pk", filter=Q(status=_S.CANCELLED)),
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


@dataclass(frozen=True)
class AgeBand:
    key: str
    label: str
    youngest: int | None
    oldest: int | None


def campaign_get_for_report(*, campaign_id: int | str | None) -> Campaign:
    try:
        pk = int(campaign_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CampaignNotFound from None
    campaign = Campaign.objects.filter(pk=pk).first()
    if campaign is None:
        raise CampaignNotFound
    return campaign


def parse_report_range(
    raw_from: str | None, raw_to: str | None
) -> tuple[date | None, date | None]:
    """``from``/``to`` query values as dates (either may be empty)."""
    try:
        date_from = date.fromisoformat(raw_from) if raw_from else None
        date_to = date.fromisoformat(raw_to) if raw_to else None
    except ValueError:
        raise InvalidDateRange from None
    if date_from and date_to and date_from > date_to:
        raise InvalidDateRange
    return date_from, date_to


def parse_group_by(raw: str | None) -> str | None:
    if not raw:
        return None
    if raw not in GROUP_BYS:
        raise InvalidGroupBy
    return raw


@dataclass(frozen=True)
class TurnoutCounts:
    """The raw counts before suppression: never leaves the server."""

    table: Table
    keys: list[Any]
    series: dict[str, dict[date, int]]


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
    aggregates over the tables themselves. Both give the same numbers.
    """
    if group_by is not None and group_by not in GROUP_BYS:
        raise InvalidGroupBy
    start, end = _bounds(date_from, date_to)
    with_registered = group_by is None or group_by in PERSON_GROUPS
    person_group = group_by if with_registered else None
    if use_rollup and rollup.rollup_available():
        with transaction.atomic():
            counts = _rollup_counts(campaign, date_from, date_to, group_by)
    else:
        with _analytic_queries():
            counts = _Counts(
                appointments=_appointment_counts(campaign, start, end, group_by),
                registrations=_registration_counts(campaign, start, end, person_group),
                activity=_activity_per_day(campaign, start, end),
                quota_used=campaign_active_appointments(campaign=campaign),
            )

    registered: dict[Any, int] = {}
    registrations_per_day: dict[date, int] = {}
    for (day, key), n in counts.registrations.items():
        registered[key] = registered.get(key, 0) + n
        registrations_per_day[day] = registrations_per_day.get(day, 0) + n
    person_keys = registered if group_by in PERSON_GROUPS else {}
    keys = list(dict.fromkeys([*counts.appointments, *person_keys]))
    if group_by is not None:
        keys.sort(key=_sort_key(group_by, campaign))
    else:
        keys = []

    def row(key: Any) -> dict[str, int]:
        values = dict.fromkeys(APPOINTMENT_MEASURES, 0)
        values.update(counts.appointments.get(key, {}))
        if with_registered:
            return {"registered": registered.get(key, 0), **values}
        return values

    groups = {key: row(key) for key in keys}
    if group_by is None:
        total = row(None)
    else:
        total = {
            "registered": sum(registered.values()),
            **{m: sum(g[m] for g in groups.values()) for m in APPOINTMENT_MEASURES},
        }
    total["quota_used"] = counts.quota_used
    bookings, check_ins = counts.activity
    return TurnoutCounts(
        table=Table(
            groups={_key_text(k): v for k, v in groups.items()},
            total=total,
            # Outside a date range every booking is either still active or missed.
            row_relations=[(("booked",), ("quota_used", "no_show"))],
            rates=RATES,
        ),
        keys=keys,
        series={
            "registrations": registrations_per_day,
            "bookings": bookings,
            "check_ins": check_ins,
        },
    )


def turnout_report(
    *,
    campaign: Campaign,
    group_by: str | None,
    date_from: date | None,
    date_to: date | None,
    use_rollup: bool = True,
) -> TurnoutReport:
    """The campaign's turnout, suppressed (threshold 5). See the module docstring."""
    counts = turnout_counts(
        campaign=campaign,
        group_by=group_by,
        date_from=date_from,
        date_to=date_to,
        use_rollup=use_rollup,
    )
    suppressed = suppress_table(counts.table, threshold=TURNOUT_THRESHOLD)
    labels = _labels(group_by, campaign, counts.keys)
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
                key=_key_text(k),
                label=labels.get(k, _key_text(k)),
                cells=suppressed.groups[_key_text(k)],
            )
            for k in counts.keys
        ],
        group_measures=(
            MEASURES
            if group_by is None or group_by in PERSON_GROUPS
            else APPOINTMENT_MEASURES
        ),
        series=_series(counts.series),
    )


@contextmanager
def _analytic_queries() -> Iterator[None]:
    """Run the report's few large aggregates with settings that suit them.

    PostgreSQL's JIT compiles every big aggregate afresh and spent more time
    compiling than counting (0.7 s of 1 s at a million rows); a larger work_mem
    keeps the hash of a million participants out of temporary files. SET LOCAL
    ends with the transaction, so nothing leaks to the pooled connection.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


@dataclass(frozen=True)
class _Counts:
    appointments: dict[Any, dict[str, int]]
    registrations: dict[tuple[date, Any], int]
    activity: tuple[dict[date, int], dict[date, int]]
    quota_used: int


def _measures_from_statuses(statuses: Mapping[str, int]) -> dict[str, int]:
    """The report's measures from counts per appointment status."""
    return {
        "booked": sum(statuses.get(s, 0) for s in _NOT_CANCELLED),
        "checked_in": statuses.get(_S.CHECKED_IN, 0) + statuses.get(_S.SCREENED, 0),
        "screened": statuses.get(_S.SCREENED, 0),
        "no_show": statuses.get(_S.NO_SHOW, 0),
        "cancelled": statuses.get(_S.CANCELLED, 0),
    }


def _rollup_counts(
    campaign: Campaign,
    date_from: date | None,
    date_to: date | None,
    group_by: str | None,
) -> _Counts:
    rollup.fold(campaign_id=campaign.pk)

    def key_of(value: str) -> Any:
        return int(value) if group_by in ("district", "site") else value

    statuses: dict[Any, dict[str, int]] = {}
    for day, value, status, n in rollup.sums(
        campaign_id=campaign.pk,
        dimension=group_by if group_by in PERSON_GROUPS else "site",
        measures=rollup.STATUS_MEASURES,
        first=date_from,
        last=date_to,
        by_day=group_by == "day",
    ):
        if group_by is None:
            key = None
        elif group_by == "day":
            key = day
        else:
            key = key_of(value)
        bucket = statuses.setdefault(key, {})
        bucket[status] = bucket.get(status, 0) + n
    appointments = {
        key: _measures_from_statuses(counts)
        for key, counts in statuses.items()
        # A group whose every appointment moved elsewhere keeps zero rows.
        if any(counts.values())
    }
    registrations: dict[tuple[date, Any], int] = {}
    for day, value, _measure, n in rollup.sums(
        campaign_id=campaign.pk,
        dimension=group_by if group_by in PERSON_GROUPS else "employment_type",
        measures=("registered",),
        first=date_from,
        last=date_to,
        by_day=True,
    ):
        if n and day is not None:
            person_key = key_of(value) if group_by in PERSON_GROUPS else None
            registrations[(day, person_key)] = (
                registrations.get((day, person_key), 0) + n
            )
    bookings: dict[date, int] = {}
    check_ins: dict[date, int] = {}
    for day, _value, measure, n in rollup.sums(
        campaign_id=campaign.pk,
        dimension="all",
        measures=("booking", "check_in"),
        first=date_from,
        last=date_to,
        by_day=True,
    ):
        if n and day is not None:
            target = bookings if measure == "booking" else check_ins
            target[day] = target.get(day, 0) + n
    quota_used = sum(
        n
        for _day, _value, _measure, n in rollup.sums(
            campaign_id=campaign.pk,
            dimension="site",
            measures=tuple(ACTIVE_STATUSES),
            first=None,
            last=None,
            by_day=False,
        )
    )
    return _Counts(
        appointments=appointments,
        registrations=registrations,
        activity=(bookings, check_ins),
        quota_used=quota_used,
    )


def _bounds(
    date_from: date | None, date_to: date | None
) -> tuple[datetime | None, datetime | None]:
    zone = timezone.get_default_timezone()
    start = datetime.combine(date_from, time.min, tzinfo=zone) if date_from else None
    end = (
        datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
        if date_to
        else None
    )
    return start, end


def _appointments(
    campaign: Campaign, start: datetime | None, end: datetime | None
) -> QuerySet[Appointment]:
    qs = Appointment.objects.filter(campaign_id=campaign.pk)
    if start is not None:
        qs = qs.filter(slot__starts_at__gte=start)
    if end is not None:
        qs = qs.filter(slot__starts_at__lt=end)
    return qs.order_by()


def _appointment_counts(
    campaign: Campaign,
    start: datetime | None,
    end: datetime | None,
    group_by: str | None,
) -> dict[Any, dict[str, int]]:
    qs = _appointments(campaign, start, end)
    if group_by is None:
        return {None: qs.aggregate(**_AGGREGATES)}
    expression = _group_expression(group_by, campaign, person="participant__")
    rows = qs.annotate(g=expression).values("g").annotate(**_AGGREGATES)
    found: dict[Any, dict[str, int]] = {}
    for r in rows:
        values: dict[str, Any] = dict(r)
        found[values.pop("g")] = values
    return found


def _registration_counts(
    campaign: Campaign,
    start: datetime | None,
    end: datetime | None,
    group_by: str | None,
) -> dict[tuple[date, Any], int]:
    """Registered women per (registration day, group): those who registered in
    the campaign's window, plus those who registered before or after it and
    booked in this campaign. Two queries, each a plain filter the planner can
    run without an OR across tables."""
    zone = timezone.get_default_timezone()
    in_window = Q(
        created_at__gte=campaign.registration_opens_at,
        created_at__lt=campaign.registration_closes_at,
    )
    people = Participant.objects.order_by()
    if start is not None:
        people = people.filter(created_at__gte=start)
    if end is not None:
        people = people.filter(created_at__lt=end)
    returning = people.exclude(in_window).filter(
        Exists(
            Appointment.objects.filter(
                campaign_id=campaign.pk, participant_id=OuterRef("pk")
            )
        )
    )
    fields: dict[str, Any] = {"d": TruncDate("created_at", tzinfo=zone)}
    if group_by is not None:
        fields["g"] = _group_expression(group_by, campaign, person="")
    counts: dict[tuple[date, Any], int] = {}
    for qs in (people.filter(in_window), returning):
        rows = qs.annotate(**fields).values(*fields).annotate(n=Count("pk"))
        for r in rows:
            key = (r["d"], r.get("g"))
            counts[key] = counts.get(key, 0) + r["n"]
    return counts


def _activity_per_day(
    campaign: Campaign, start: datetime | None, end: datetime | None
) -> tuple[dict[date, int], dict[date, int]]:
    """Bookings per day made and check-ins per day of arrival, in one pass."""
    zone = timezone.get_default_timezone()
    qs = Appointment.objects.filter(campaign_id=campaign.pk).order_by()
    if start is not None or end is not None:
        within = {
            field: Q(
                **({f"{field}__gte": start} if start is not None else {}),
                **({f"{field}__lt": end} if end is not None else {}),
            )
            for field in ("created_at", "checked_in_at")
        }
        qs = qs.filter(within["created_at"] | within["checked_in_at"])
    rows = (
        qs.annotate(
            b=TruncDate("created_at", tzinfo=zone),
            c=TruncDate("checked_in_at", tzinfo=zone),
        )
        .values("b", "c")
        .annotate(n=Count("pk"))
    )
    first = start.astimezone(zone).date() if start is not None else date.min
    last = (end.astimezone(zone).date() - timedelta(days=1)) if end else date.max
    bookings: dict[date, int] = {}
    check_ins: dict[date, int] = {}
    for r in rows:
        if first <= r["b"] <= last:
            bookings[r["b"]] = bookings.get(r["b"], 0) + r["n"]
        if r["c"] is not None and first <= r["c"] <= last:
            check_ins[r["c"]] = check_ins.get(r["c"], 0) + r["n"]
    return bookings, check_ins


def _group_expression(group_by: str, campaign: Campaign, *, person: str) -> Any:
    if group_by == "employment_type":
        return F(f"{person}employment_type")
    if group_by == "district":
        return F(f"{person}district_id")
    if group_by == "site":
        return F("slot__site_id")
    if group_by == "day":
        return TruncDate("slot__starts_at", tzinfo=timezone.get_default_timezone())
    # Comparing birth dates with fixed cut-off days keeps the band a cheap CASE
    # over a column instead of an age() call per row.
    bands = age_bands(campaign)
    whens = [
        When(
            **{f"{person}birth_date__gt": _born_by(campaign.age_on, band.youngest)},
            then=Value(previous.key),
        )
        for previous, band in pairwise(bands)
        if band.youngest is not None
    ]
    return Case(*whens, default=Value(bands[-1].key), output_field=CharField())


def age_bands(campaign: Campaign) -> list[AgeBand]:
    """Five-year bands (35-39, 40-44, ...) over the campaign's ages, on its age
    reference date, with one band each for anyone younger or older."""
    low, high = campaign.min_age, campaign.max_age
    bands = [
        AgeBand(
            "under",
            gettext("Under %(age)s") % {"age": low},
            None,
            low - 1,
        )
    ]
    youngest = low
    while youngest <= high:
        oldest = min(high, youngest - youngest % 5 + 4)
        bands.append(
            AgeBand(
                f"{youngest}-{oldest}", f"{youngest}\u2013{oldest}", youngest, oldest
            )
        )
        youngest = oldest + 1
    bands.append(
        AgeBand("over", gettext("Over %(age)s") % {"age": high}, high + 1, None)
    )
    return bands


def _born_by(day: date, age: int) -> date:
    """The last birth date of someone who is at least `age` on `day`."""
    try:
        return day.replace(year=day.year - age)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - age, day=28)


def _key_text(key: Any) -> str:
    if key is None:
        return TOTAL
    if isinstance(key, date):
        return key.isoformat()
    return str(key)


def _sort_key(group_by: str, campaign: Campaign) -> Any:
    if group_by == "employment_type":
        order = {value: i for i, value in enumerate(EmploymentType.values)}
        return lambda k: (order.get(k, len(order)), str(k))
    if group_by == "age_band":
        order = {band.key: i for i, band in enumerate(age_bands(campaign))}
        return lambda k: order.get(k, len(order))
    if group_by in ("district", "site"):
        model = District if group_by == "district" else Site
        codes = dict(model.objects.values_list("pk", "code"))
        return lambda k: codes.get(k, "")
    return lambda k: k


def _labels(group_by: str | None, campaign: Campaign, keys: list[Any]) -> dict:
    if group_by == "employment_type":
        return {k: str(EmploymentType(k).label) for k in keys if k in EmploymentType}
    if group_by == "district":
        return dict(District.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group_by == "site":
        return dict(Site.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group_by == "age_band":
        return {band.key: band.label for band in age_bands(campaign)}
    return {}


def _series(columns: dict[str, dict[date, int]]) -> list[GroupRow]:
    """Registrations, bookings and check-ins per day, each on the day it happened."""
    days = sorted(set().union(*columns.values()))
    groups = {
        day.isoformat(): {m: columns[m].get(day, 0) for m in SERIES_MEASURES}
        for day in days
    }
    # The columns add up to published totals (every registration of the cohort, …),
    # so they are suppressed as a table with a totals row.
    total = {m: sum(g[m] for g in groups.values()) for m in SERIES_MEASURES}
    suppressed = suppress_table(
        Table(groups=groups, total=total), threshold=TURNOUT_THRESHOLD
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
    }
