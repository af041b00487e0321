"""The turnout benchmark's data: one campaign holding `size` participants and
appointments, loaded with COPY, its rollup rebuilt once after.

Import after django.setup() (bench/turnout.py does).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from django.db import connection

from bench.bulk_copy import copy_rows
from scheduling.reports import rollup

ZONE = ZoneInfo("Asia/Shanghai")
# Seconds each size's rollup rebuild took, for the figures in the docs.
rebuilt: dict[int, float] = {}
DISTRICTS = 12
SITES = 10
DAYS = 60
SLOTS_PER_DAY = 16
EMPLOYMENT = (
    "courier",
    "food_delivery",
    "ride_hailing",
    "domestic_service",
    "livestream_ecommerce",
    "other",
)
# (status, share): roughly a campaign near its end.
STATUSES = (
    ("screened", 0.55),
    ("checked_in", 0.07),
    ("booked", 0.20),
    ("no_show", 0.08),
    ("cancelled", 0.10),
)
CAMPAIGN_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "name",
    "description",
    "starts_on",
    "ends_on",
    "registration_opens_at",
    "registration_closes_at",
    "min_age",
    "max_age",
    "age_reference_date",
    "services",
    "quota",
    "status",
    "contact_phone",
]
SITE_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "code",
    "name",
    "address",
    "district_id",
    "phone",
    "timezone",
    "is_active",
    "walk_in_capacity",
]
SLOT_COLUMNS = ["id", "campaign_id", "site_id", "starts_at", "ends_at", "capacity"]
PARTICIPANT_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "phone",
    "phone_hash",
    "full_name",
    "id_number",
    "id_hash",
    "birth_date",
    "sex",
    "employment_type",
    "employment_other",
    "employer",
    "district_id",
    "sms_reminders",
    "anonymised_at",
]
APPOINTMENT_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "participant_id",
    "campaign_id",
    "slot_id",
    "status",
    "reference",
    "checkin_token",
    "is_walk_in",
    "checked_in_at",
    "cancelled_at",
    "reschedule_count",
]
# COPY gives explicit ids; later inserts need the sequences past them.
LOADED_TABLES = (
    "screening_district",
    "screening_campaign",
    "scheduling_site",
    "scheduling_slot",
    "screening_participant",
    "scheduling_appointment",
)


@dataclass(frozen=True)
class Window:
    """The campaign's days and its registration window."""

    now: datetime
    start: date
    opens: datetime
    closes: datetime


def iso(moment: datetime) -> str:
    return moment.isoformat()


def generate(size: int) -> int:
    """Fill the database with `size` participants and appointments; the campaign id."""
    _empty_for_bulk_load()
    rng = random.Random(size)
    start = date(2026, 3, 1)
    window = Window(
        now=datetime.now(UTC),
        start=start,
        opens=datetime.combine(start - timedelta(days=90), clock(8), tzinfo=ZONE),
        closes=datetime.combine(start + timedelta(days=DAYS), clock(8), tzinfo=ZONE),
    )
    _load_places(size, window)
    slot_starts = _slot_starts(start)
    _load_slots(size, slot_starts)
    # The same generator, drawn in the same order, gives the same data each run.
    copy_rows(
        "screening_participant",
        dict.fromkeys(PARTICIPANT_COLUMNS),
        _participants(rng, size, window),
    )
    copy_rows(
        "scheduling_appointment",
        dict.fromkeys(APPOINTMENT_COLUMNS),
        _appointments(rng, size, slot_starts),
    )
    _finish_load(size)
    _vacuum()
    return 1


def _empty_for_bulk_load() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE scheduling_appointment, scheduling_slot, scheduling_site, "
            "screening_participant, screening_campaign, screening_district, "
            "scheduling_turnout_count RESTART IDENTITY CASCADE"
        )
        # A bulk load skips the per-row rollup triggers and recounts once after.
        cursor.execute("SET session_replication_role = replica")
    connection.connection.commit()


def _load_places(size: int, window: Window) -> None:
    """The districts, the one campaign (its quota `size`) and the sites."""
    now, start = window.now, window.start
    copy_rows(
        "screening_district",
        {"id": 0, "code": 0, "name": 0},
        ((str(i), f"41080{i:02d}", f"区{i}") for i in range(1, DISTRICTS + 1)),
    )
    campaign = (
        "1",
        iso(now),
        iso(now),
        "基准活动",
        "",
        start.isoformat(),
        (start + timedelta(days=DAYS - 1)).isoformat(),
        iso(window.opens),
        iso(window.closes),
        "35",
        "64",
        "\\N",
        "both",
        str(size),
        "open",
        "",
    )
    copy_rows("screening_campaign", dict.fromkeys(CAMPAIGN_COLUMNS), iter([campaign]))
    sites = (
        (
            str(i),
            iso(now),
            iso(now),
            f"S{i}",
            f"筛查点{i}",
            "",
            str(1 + i % DISTRICTS),
            "",
            "Asia/Shanghai",
            "t",
            "10",
        )
        for i in range(1, SITES + 1)
    )
    copy_rows("scheduling_site", dict.fromkeys(SITE_COLUMNS), sites)


def _slot_starts(start: date) -> list[tuple[int, datetime]]:
    """(site, start) of every half-hour slot of every site and day."""
    slot_starts = []
    for day in range(DAYS):
        for site in range(1, SITES + 1):
            for k in range(SLOTS_PER_DAY):
                begins = datetime.combine(
                    start + timedelta(days=day), clock(8), tzinfo=ZONE
                ) + timedelta(minutes=30 * k)
                slot_starts.append((site, begins))
    return slot_starts


def _load_slots(size: int, slot_starts: list[tuple[int, datetime]]) -> None:
    capacity = size // len(slot_starts) + 50
    rows = (
        (
            str(n),
            "1",
            str(site),
            iso(begins),
            iso(begins + timedelta(minutes=30)),
            str(capacity),
            "0",
        )
        for n, (site, begins) in enumerate(slot_starts, 1)
    )
    copy_rows("scheduling_slot", dict.fromkeys([*SLOT_COLUMNS, "booked"]), rows)


def _participants(rng: random.Random, size: int, window: Window) -> Iterator[tuple]:
    seconds = (window.closes - window.opens).total_seconds()
    for n in range(1, size + 1):
        created = window.opens + timedelta(seconds=rng.random() * seconds)
        born = date(1962, 1, 1) + timedelta(days=rng.randrange(29 * 365))
        yield (
            str(n),
            iso(created),
            iso(created),
            "x",
            f"p{n:032x}",
            f"测试{n}",
            "x",
            f"i{n:032x}",
            born.isoformat(),
            "F",
            EMPLOYMENT[rng.randrange(len(EMPLOYMENT))],
            "",
            "",
            str(1 + rng.randrange(DISTRICTS)),
            "t",
            "\\N",
        )


def _appointments(
    rng: random.Random, size: int, slot_starts: list[tuple[int, datetime]]
) -> Iterator[tuple]:
    shares = [share for _, share in STATUSES]
    names = [status for status, _ in STATUSES]
    for n in range(1, size + 1):
        slot = rng.randrange(len(slot_starts))
        begins = slot_starts[slot][1]
        status = rng.choices(names, shares)[0]
        made = begins - timedelta(hours=rng.randrange(1, 24 * 30))
        arrived = (
            iso(begins + timedelta(minutes=10))
            if status in ("checked_in", "screened")
            else "\\N"
        )
        cancelled = iso(made + timedelta(days=1)) if status == "cancelled" else "\\N"
        yield (
            str(n),
            iso(made),
            iso(made),
            str(n),
            "1",
            str(slot + 1),
            status,
            f"{n:08X}",
            f"t{n:031x}",
            "f",
            arrived,
            cancelled,
            "0",
        )


def _finish_load(size: int) -> None:
    """The counter bookings keep, the sequences, and the rollup rebuilt once."""
    with connection.cursor() as cursor:
        # The funded-places counter that bookings keep, as they would have kept it.
        cursor.execute(
            "UPDATE screening_campaign SET places_taken = (SELECT count(*) FROM "
            "scheduling_appointment WHERE campaign_id = 1 AND status IN "
            "('booked', 'checked_in', 'screened')) WHERE id = 1"
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        for table in LOADED_TABLES:
            # Ids were written 1..n, so the row count is the largest.
            count = f"SELECT count(*) FROM {table}"  # noqa: S608 - fixed names
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({count}) + 1, "
                "false)",
                [table],
            )
        began = time.perf_counter()
        cursor.execute("SELECT scheduling_turnout_rebuild(1)")
        connection.connection.commit()
        rollup.fold(campaign_id=1)
        connection.connection.commit()
        rebuilt[size] = time.perf_counter() - began
        print(f"rows={size} rollup rebuilt in {rebuilt[size]:.1f}s")


def _vacuum() -> None:
    old = connection.connection.autocommit
    connection.connection.autocommit = True
    with connection.connection.cursor() as cursor:
        # Index-only scans need the visibility map a vacuum writes.
        cursor.execute(
            "VACUUM ANALYZE screening_participant, scheduling_appointment, "
            "scheduling_slot, scheduling_turnout_count"
        )
    connection.connection.autocommit = old
