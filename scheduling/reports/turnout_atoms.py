"""The turnout report's counts as atoms: one per day, group and measure, each the
number of records and the sum of their record keys (common.cellkey).

A published cell is a sum of atoms, each perturbed on its own, so a date range
is always the sum of its days: two nested ranges differ by perturbed days that
every other question about those days gets back too.

Two sources, held to the same atoms by a test: on PostgreSQL the trigger-kept
rollup (`scheduling.reports.rollup`), elsewhere (or when asked) GROUP BY over the
tables. Every number is an aggregate; no row about a person is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from common.cellkey import Atom
from common.report_reads import reports_alias, reports_connection
from scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus
from scheduling.reports import rollup
from scheduling.reports.groups import group_expression
from screening.models import Campaign, Participant

PERSON_GROUPS = frozenset({"employment_type", "district", "age_band"})
_S = AppointmentStatus
_NOT_CANCELLED = (_S.BOOKED, _S.CHECKED_IN, _S.SCREENED, _S.NO_SHOW)
_MEASURE_STATUSES = {
    "booked": _NOT_CANCELLED,
    "checked_in": (_S.CHECKED_IN, _S.SCREENED),
    "screened": (_S.SCREENED,),
    "no_show": (_S.NO_SHOW,),
    "cancelled": (_S.CANCELLED,),
}
_AGGREGATES = {
    **{
        name: Count("pk", filter=Q(status__in=statuses))
        for name, statuses in _MEASURE_STATUSES.items()
    },
    **{
        f"{name}_keys": Sum("report_key", filter=Q(status__in=statuses))
        for name, statuses in _MEASURE_STATUSES.items()
    },
}

# group key -> measure -> day -> atom
Appointments = dict[Any, dict[str, dict[date, Atom]]]


@dataclass(frozen=True)
class Counts:
    appointments: Appointments
    registrations: dict[tuple[date, Any], Atom]
    activity: tuple[dict[date, Atom], dict[date, Atom]]
    quota_used: dict[date, Atom]


def collect(
    *,
    campaign: Campaign,
    group_by: str | None,
    date_from: date | None,
    date_to: date | None,
    use_rollup: bool,
) -> Counts:
    person_group = group_by if group_by is None or group_by in PERSON_GROUPS else None
    alias = reports_alias()
    if use_rollup and rollup.rollup_available():
        # One snapshot for all the sums, on whichever database reports read.
        with transaction.atomic(using=alias):
            return _rollup_counts(campaign, date_from, date_to, group_by)
    start, end = _bounds(date_from, date_to)
    with _analytic_queries():
        return Counts(
            appointments=_appointment_counts(campaign, start, end, group_by),
            registrations=_registration_counts(campaign, start, end, person_group),
            activity=_activity_per_day(campaign, start, end),
            quota_used=_active_per_day(campaign),
        )


@contextmanager
def _analytic_queries() -> Iterator[None]:
    """Run the report's few large aggregates with settings that suit them.

    PostgreSQL's JIT compiles every big aggregate afresh and spent more time
    compiling than counting (0.7 s of 1 s at a million rows); a larger work_mem
    keeps the hash of a million participants out of temporary files. SET LOCAL
    ends with the transaction, so nothing leaks to the pooled connection.
    """
    connection = reports_connection()
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


def _measures_from_statuses(statuses: Mapping[str, Atom]) -> dict[str, Atom]:
    """The report's measures from atoms per appointment status."""
    measures = {}
    for name, wanted in _MEASURE_STATUSES.items():
        atom = Atom()
        for status in wanted:
            atom += statuses.get(status, Atom())
        measures[name] = atom
    return measures


def _add(target: Appointments, key: Any, day: date, measures: dict[str, Atom]) -> None:
    bucket = target.setdefault(key, {})
    for name, atom in measures.items():
        days = bucket.setdefault(name, {})
        days[day] = days.get(day, Atom()) + atom


def _rollup_key_of(group_by: str | None, value: str) -> Any:
    return int(value) if group_by in ("district", "site") else value


def _rollup_appointments(
    campaign: Campaign,
    date_from: date | None,
    date_to: date | None,
    group_by: str | None,
) -> Appointments:
    """The appointments' measures per group and slot day, from the rollup."""
    statuses: dict[tuple[Any, date], dict[str, Atom]] = {}
    for day, value, status, n, keys in rollup.sums(
        campaign_id=campaign.pk,
        dimension=group_by if group_by in PERSON_GROUPS else "site",
        measures=rollup.STATUS_MEASURES,
        first=date_from,
        last=date_to,
        by_day=True,
    ):
        if group_by is None:
            key = None
        elif group_by == "day":
            key = day
        else:
            key = _rollup_key_of(group_by, value)
        bucket = statuses.setdefault((key, day), {})
        bucket[status] = bucket.get(status, Atom()) + Atom(n, keys)
    appointments: Appointments = {}
    for (key, day), found in statuses.items():
        # A group whose every appointment moved elsewhere keeps zero rows.
        if any(atom.n for atom in found.values()):
            _add(appointments, key, day, _measures_from_statuses(found))
    return appointments


def _rollup_registrations(
    campaign: Campaign,
    date_from: date | None,
    date_to: date | None,
    group_by: str | None,
) -> dict[tuple[date, Any], Atom]:
    """Registrations per day (and person group, when grouped by one)."""
    registrations: dict[tuple[date, Any], Atom] = {}
    for day, value, _measure, n, keys in rollup.sums(
        campaign_id=campaign.pk,
        dimension=group_by if group_by in PERSON_GROUPS else "employment_type",
        measures=("registered",),
        first=date_from,
        last=date_to,
        by_day=True,
    ):
        if n and day is not None:
            person_key = (
                _rollup_key_of(group_by, value) if group_by in PERSON_GROUPS else None
            )
            cell = (day, person_key)
            registrations[cell] = registrations.get(cell, Atom()) + Atom(n, keys)
    return registrations


def _rollup_activity(
    campaign: Campaign, date_from: date | None, date_to: date | None
) -> tuple[dict[date, Atom], dict[date, Atom]]:
    """Bookings made and check-ins, per day they happened."""
    bookings: dict[date, Atom] = {}
    check_ins: dict[date, Atom] = {}
    for day, _value, measure, n, keys in rollup.sums(
        campaign_id=campaign.pk,
        dimension="all",
        measures=("booking", "check_in"),
        first=date_from,
        last=date_to,
        by_day=True,
    ):
        if n and day is not None:
            target = bookings if measure == "booking" else check_ins
            target[day] = target.get(day, Atom()) + Atom(n, keys)
    return bookings, check_ins


def _rollup_quota_used(campaign: Campaign) -> dict[date, Atom]:
    """Places held, per slot day, over the whole campaign."""
    quota_used: dict[date, Atom] = {}
    for day, _value, _measure, n, keys in rollup.sums(
        campaign_id=campaign.pk,
        dimension="site",
        measures=tuple(ACTIVE_STATUSES),
        first=None,
        last=None,
        by_day=True,
    ):
        if n and day is not None:
            quota_used[day] = quota_used.get(day, Atom()) + Atom(n, keys)
    return quota_used


def _rollup_counts(
    campaign: Campaign,
    date_from: date | None,
    date_to: date | None,
    group_by: str | None,
) -> Counts:
    if reports_alias() == DEFAULT_DB_ALIAS:
        rollup.fold(campaign_id=campaign.pk)
    # A replica cannot fold: it sums folded and delta rows alike, which come to
    # the same (beat folds on the primary: scheduling.reports_fold).
    return Counts(
        appointments=_rollup_appointments(campaign, date_from, date_to, group_by),
        registrations=_rollup_registrations(campaign, date_from, date_to, group_by),
        activity=_rollup_activity(campaign, date_from, date_to),
        quota_used=_rollup_quota_used(campaign),
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


def _slot_day() -> TruncDate:
    return TruncDate("slot__starts_at", tzinfo=timezone.get_default_timezone())


def _appointment_counts(
    campaign: Campaign,
    start: datetime | None,
    end: datetime | None,
    group_by: str | None,
) -> Appointments:
    qs = _appointments(campaign, start, end).annotate(d=_slot_day())
    fields = ["d"]
    if group_by is not None:
        qs = qs.annotate(g=group_expression(group_by, campaign, person="participant__"))
        fields.append("g")
    found: Appointments = {}
    for r in qs.values(*fields).annotate(**_AGGREGATES):
        measures = {
            name: Atom(r[name], r[f"{name}_keys"] or 0) for name in _MEASURE_STATUSES
        }
        _add(found, r.get("g"), r["d"], measures)
    return found


def _registration_counts(
    campaign: Campaign,
    start: datetime | None,
    end: datetime | None,
    group_by: str | None,
) -> dict[tuple[date, Any], Atom]:
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
        fields["g"] = group_expression(group_by, campaign, person="")
    counts: dict[tuple[date, Any], Atom] = {}
    for qs in (people.filter(in_window), returning):
        rows = (
            qs.annotate(**fields)
            .values(*fields)
            .annotate(n=Count("pk"), k=Sum("report_key"))
        )
        for r in rows:
            key = (r["d"], r.get("g"))
            counts[key] = counts.get(key, Atom()) + Atom(r["n"], r["k"] or 0)
    return counts


def _activity_per_day(
    campaign: Campaign, start: datetime | None, end: datetime | None
) -> tuple[dict[date, Atom], dict[date, Atom]]:
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
        .annotate(n=Count("pk"), k=Sum("report_key"))
    )
    first = start.astimezone(zone).date() if start is not None else date.min
    last = (end.astimezone(zone).date() - timedelta(days=1)) if end else date.max
    bookings: dict[date, Atom] = {}
    check_ins: dict[date, Atom] = {}
    for r in rows:
        atom = Atom(r["n"], r["k"] or 0)
        if first <= r["b"] <= last:
            bookings[r["b"]] = bookings.get(r["b"], Atom()) + atom
        if r["c"] is not None and first <= r["c"] <= last:
            check_ins[r["c"]] = check_ins.get(r["c"], Atom()) + atom
    return bookings, check_ins


def _active_per_day(campaign: Campaign) -> dict[date, Atom]:
    """Funded places taken (active appointments) per slot day, the whole campaign."""
    rows = (
        Appointment.objects.filter(campaign_id=campaign.pk, status__in=ACTIVE_STATUSES)
        .order_by()
        .annotate(d=_slot_day())
        .values("d")
        .annotate(n=Count("pk"), k=Sum("report_key"))
    )
    return {r["d"]: Atom(r["n"], r["k"] or 0) for r in rows if r["n"]}
