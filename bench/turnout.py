"""Turnout report at scale (SPEC §7: 1,000,000 participants and appointments answer
in <= 300 ms; 10x the rows costs <= 3x the time).

For each size, fills a throwaway database with COPY (one campaign holding every
participant and appointment: the worst case, since the report reads one campaign),
then times each query the union dashboard runs, median of 5 after one warm-up.

From a clean clone, after `make test` (which installs the tools), the full run
that writes the figures in docs/benchmarks.md is:

    .venv/bin/python -m bench.turnout --sizes 100000 1000000 10000000 \\
        --direct --write-docs

The database named by DATABASE_URL (default ankang_bench_turnout) is created if
missing, migrated, and emptied before every size.

`--smoke` runs the same load and report at 300 rows in a throwaway database of its
own (bench/smoke.py), checks that every view counts what was loaded, and drops it.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import secrets
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from functools import partial
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault(
    "DATABASE_URL", "postgres://root@127.0.0.1:5432/ankang_bench_turnout"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("ID_HASH_KEY", secrets.token_hex(32))
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("LOG_LEVEL", "WARNING")
if "FIELD_ENCRYPTION_KEY" not in os.environ:
    from cryptography.fernet import Fernet

    os.environ["FIELD_ENCRYPTION_KEY"] = Fernet.generate_key().decode()

from bench import smoke

if smoke.requested():
    smoke.enter("turnout")

import django
import psycopg

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.bulk_copy import copy_rows  # noqa: E402
from scheduling.reports import rollup  # noqa: E402
from scheduling.reports.turnout import (  # noqa: E402
    GROUP_BYS,
    turnout_counts,
    turnout_report,
)
from screening.models import Campaign  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
rebuilt: dict[int, float] = {}
DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
SECTION = "## Turnout report"
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


def ensure_database() -> None:
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]
        ).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')


def iso(moment: datetime) -> str:
    return moment.isoformat()


def generate(size: int) -> int:
    """Fill the database with `size` participants and appointments; the campaign id."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE scheduling_appointment, scheduling_slot, scheduling_site, "
            "screening_participant, screening_campaign, screening_district, "
            "scheduling_turnout_count RESTART IDENTITY CASCADE"
        )
        # A bulk load skips the per-row rollup triggers and recounts once after.
        cursor.execute("SET session_replication_role = replica")
    connection.connection.commit()
    rng = random.Random(size)
    now = datetime.now(UTC)
    start = date(2026, 3, 1)
    opens = datetime.combine(start - timedelta(days=90), clock(8), tzinfo=ZONE)
    closes = datetime.combine(start + timedelta(days=DAYS), clock(8), tzinfo=ZONE)

    copy_rows(
        "screening_district",
        {"id": 0, "code": 0, "name": 0},
        ((str(i), f"41080{i:02d}", f"区{i}") for i in range(1, DISTRICTS + 1)),
    )
    copy_rows(
        "screening_campaign",
        dict.fromkeys(
            [
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
        ),
        iter(
            [
                (
                    "1",
                    iso(now),
                    iso(now),
                    "基准活动",
                    "",
                    start.isoformat(),
                    (start + timedelta(days=DAYS - 1)).isoformat(),
                    iso(opens),
                    iso(closes),
                    "35",
                    "64",
                    "\\N",
                    "both",
                    str(size),
                    "open",
                    "",
                )
            ]
        ),
    )
    copy_rows(
        "scheduling_site",
        dict.fromkeys(
            [
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
        ),
        (
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
        ),
    )
    slot_starts = []
    for day in range(DAYS):
        for site in range(1, SITES + 1):
            for k in range(SLOTS_PER_DAY):
                begins = datetime.combine(
                    start + timedelta(days=day), clock(8), tzinfo=ZONE
                ) + timedelta(minutes=30 * k)
                slot_starts.append((site, begins))
    capacity = size // len(slot_starts) + 50
    copy_rows(
        "scheduling_slot",
        dict.fromkeys(
            [
                "id",
                "campaign_id",
                "site_id",
                "starts_at",
                "ends_at",
                "capacity",
                "booked",
            ]
        ),
        (
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
        ),
    )

    window = (closes - opens).total_seconds()

    def participants() -> Iterator[tuple]:
        for n in range(1, size + 1):
            created = opens + timedelta(seconds=rng.random() * window)
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

    copy_rows(
        "screening_participant",
        dict.fromkeys(
            [
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
        ),
        participants(),
    )

    shares = [share for _, share in STATUSES]
    names = [status for status, _ in STATUSES]

    def appointments() -> Iterator[tuple]:
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
            cancelled = (
                iso(made + timedelta(days=1)) if status == "cancelled" else "\\N"
            )
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

    copy_rows(
        "scheduling_appointment",
        dict.fromkeys(
            [
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
        ),
        appointments(),
    )
    with connection.cursor() as cursor:
        # The funded-places counter that bookings keep, as they would have kept it.
        cursor.execute(
            "UPDATE screening_campaign SET places_taken = (SELECT count(*) FROM "
            "scheduling_appointment WHERE campaign_id = 1 AND status IN "
            "('booked', 'checked_in', 'screened')) WHERE id = 1"
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        # COPY gave explicit ids; later inserts need the sequences past them.
        for table in (
            "screening_district",
            "screening_campaign",
            "scheduling_site",
            "scheduling_slot",
            "screening_participant",
            "scheduling_appointment",
        ):
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
    old = connection.connection.autocommit
    connection.connection.autocommit = True
    with connection.connection.cursor() as cursor:
        # Index-only scans need the visibility map a vacuum writes.
        cursor.execute(
            "VACUUM ANALYZE screening_participant, scheduling_appointment, "
            "scheduling_slot, scheduling_turnout_count"
        )
    connection.connection.autocommit = old
    return 1


def median_ms(call: Callable[[], object], repeat: int) -> float:
    call()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def measure(campaign_id: int, repeat: int, *, use_rollup: bool) -> dict[str, float]:
    campaign = Campaign.objects.get(pk=campaign_id)
    week = (campaign.starts_on, campaign.starts_on + timedelta(days=6))
    views: dict[str, tuple[str | None, date | None, date | None]] = {
        "totals": (None, None, None),
        "one week": (None, *week),
        **{group_by: (group_by, None, None) for group_by in GROUP_BYS},
    }
    return {
        name: median_ms(
            partial(
                turnout_report,
                campaign=campaign,
                group_by=g,
                date_from=f,
                date_to=t,
                use_rollup=use_rollup,
            ),
            repeat,
        )
        for name, (g, f, t) in views.items()
    }


def booking_overhead_us(campaign_id: int, rows: int = 2000) -> float:
    """Extra time per appointment insert that the rollup triggers cost (`rows` of
    them, one per participant 1..rows: no more than were generated)."""

    def insert(offset: int) -> float:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO scheduling_appointment (created_at, updated_at, "
                "participant_id, campaign_id, slot_id, status, reference, "
                "checkin_token, is_walk_in, reschedule_count, report_key) "
                "SELECT now(), now(), g, %s, 1 + g %% 100, 'cancelled', "
                "'Z' || lpad(to_hex(g + %s), 7, '0'), 'z' || (g + %s), false, 0, "
                "floor(random() * 2147483647)::integer "
                "FROM generate_series(1, %s) AS g",
                [campaign_id, offset, offset, rows],
            )
        return time.perf_counter() - began

    # Both inserts are rolled back: the data set stays as generated.
    with transaction.atomic():
        with_triggers = insert(0)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        without = insert(rows)
        transaction.set_rollback(True)
    return (with_triggers - without) / rows * 1e6


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, "
        f"PostgreSQL {server}"
    )


def write_docs(lines: list[str]) -> None:
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    body = "\n".join(lines).rstrip() + "\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: body + "\n", text)
    else:
        text = text.rstrip() + "\n\n" + body
    DOCS.write_text(text)


def git_revision() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


SMOKE_ROWS = 300
# The report's measures, each as a filter over the appointments generated.
SMOKE_MEASURES = {
    "booked": "status <> 'cancelled'",
    "checked_in": "status IN ('checked_in', 'screened')",
    "screened": "status = 'screened'",
    "no_show": "status = 'no_show'",
    "cancelled": "status = 'cancelled'",
    "quota_used": "status IN ('booked', 'checked_in', 'screened')",
}


def smoke_checks(campaign_id: int) -> dict[str, object]:
    """Every view, from the rollup and from the tables, against counts taken
    straight from the rows loaded: totals equal, groups add up to them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT "  # noqa: S608 - fixed filters
            + ", ".join(f"count(*) FILTER (WHERE {f})" for f in SMOKE_MEASURES.values())
            + " FROM scheduling_appointment WHERE campaign_id = %s",
            [campaign_id],
        )
        expected = dict(zip(SMOKE_MEASURES, cursor.fetchone(), strict=True))
    campaign = Campaign.objects.get(pk=campaign_id)
    wrong = []
    for use_rollup in (True, False):
        for group_by in (None, *GROUP_BYS):
            table = turnout_counts(
                campaign=campaign,
                group_by=group_by,
                date_from=None,
                date_to=None,
                use_rollup=use_rollup,
            ).table
            total = {m: table.total[m] for m in expected}
            if total != expected:
                wrong.append(f"{group_by or 'totals'} rollup={use_rollup}: {total}")
            for m in set(expected) - {"quota_used"}:
                added = sum(g[m] for g in table.groups.values())
                if group_by and added != expected[m]:
                    wrong.append(f"{group_by} rollup={use_rollup}: {m} adds to {added}")
    loaded = sum(expected[m] for m in ("booked", "cancelled"))
    return {
        "rows": loaded,
        "expected": expected,
        "places_taken": campaign.places_taken,
        "views": 2 * (1 + len(GROUP_BYS)),
        "wrong": wrong,
    }


def run_smoke() -> None:
    """The whole path at SMOKE_ROWS rows in a throwaway database, then dropped."""
    ensure_database()
    call_command("migrate", verbosity=0, interactive=False)
    try:
        campaign_id = generate(SMOKE_ROWS)
        measure(campaign_id, 1, use_rollup=True)
        measure(campaign_id, 1, use_rollup=False)
        booking_overhead_us(campaign_id, rows=SMOKE_ROWS // 2)
        checks = smoke_checks(campaign_id)
    finally:
        url = os.environ["DATABASE_URL"]
        connection.close()
        smoke.drop_database(url)
    ok = (
        checks["rows"] == SMOKE_ROWS
        and not checks["wrong"]
        and checks["places_taken"] == checks["expected"]["quota_used"]
    )
    smoke.report("turnout", checks, ok=ok)


def main() -> None:
    if smoke.requested():
        run_smoke()
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument(
        "--direct",
        action="store_true",
        help="also time the aggregates over the tables (no rollup), for comparison",
    )
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="time the data already in the database (one size) without refilling it",
    )
    args = parser.parse_args()

    ensure_database()
    call_command("migrate", verbosity=0, interactive=False)
    results: dict[int, dict[str, float]] = {}
    direct: dict[int, dict[str, float]] = {}
    overhead: dict[int, float] = {}
    for size in args.sizes:
        began = time.perf_counter()
        campaign_id = 1 if args.measure_only else generate(size)
        generated = time.perf_counter() - began
        results[size] = measure(campaign_id, args.repeat, use_rollup=True)
        figures = " ".join(f"{k}={v:.0f}ms" for k, v in results[size].items())
        print(f"rows={size} generated={generated:.0f}s {figures}", flush=True)
        # Without the rollup the larger sizes take minutes per view.
        if args.direct and size <= 1_000_000:
            direct[size] = measure(campaign_id, args.repeat, use_rollup=False)
            figures = " ".join(f"{k}={v:.0f}ms" for k, v in direct[size].items())
            print(f"rows={size} without rollup: {figures}", flush=True)
        overhead[size] = booking_overhead_us(campaign_id)
        print(f"rows={size} trigger cost per booking={overhead[size]:.0f}us")

    if args.write_docs:
        sizes = sorted(results)
        names = list(results[sizes[0]])
        lines = [
            SECTION,
            "",
            "Written by `python -m bench.turnout --write-docs`. One campaign holds "
            "every participant and appointment (the worst case: the report reads "
            "one campaign); each figure is the median of "
            f"{args.repeat} runs of `turnout_report` after a warm-up, that is every "
            "query the dashboard runs for that view (fold of pending rollup deltas, "
            "counts, registrations, quota, daily series) plus suppression. The "
            "counts come from `scheduling_turnout_count`, kept current by "
            "PostgreSQL triggers (scheduling/reports/rollup.py), so a view reads "
            "days x groups rows whatever the number of appointments.",
            "",
            # Django sets the process's TZ to the site's zone; the date is UTC's.
            f"- Date: {datetime.now(UTC).date().isoformat()}",
            f"- Machine: {machine()}",
            f"- Revision: {git_revision()}",
            "",
            "| view | " + " | ".join(f"{s:,} rows" for s in sizes) + " |",
            "|---|" + "---|" * len(sizes),
        ]
        for name in names:
            lines.append(
                f"| {name} | "
                + " | ".join(f"{results[s][name]:.0f} ms" for s in sizes)
                + " |"
            )
        if direct:
            lines += [
                "",
                "Without the rollup (`use_rollup=False`: the same counts as aggregates "
                "over the tables, what SQLite deployments run):",
                "",
                "| view | " + " | ".join(f"{s:,} rows" for s in sorted(direct)) + " |",
                "|---|" + "---|" * len(direct),
            ]
            for name in names:
                lines.append(
                    f"| {name} | "
                    + " | ".join(f"{direct[s][name]:.0f} ms" for s in sorted(direct))
                    + " |"
                )
        lines += [
            "",
            "- Rollup triggers, extra cost per appointment insert: "
            + ", ".join(f"{overhead[s]:.0f} us at {s:,} rows" for s in sizes)
            + ".",
            "- Bulk load and full recount (`scheduling_turnout_rebuild`): "
            + ", ".join(f"{rebuilt[s]:.0f} s at {s:,} rows" for s in sizes)
            + ".",
        ]
        for small, large in pairwise(sizes):
            worst = max(results[large][n] / results[small][n] for n in names)
            view = max(names, key=lambda n: results[large][n] / results[small][n])
            verdict = "PASS" if worst <= 3 else "FAIL"
            lines.append(
                f"- {large // small}x the rows ({small:,} to {large:,}): the worst "
                f"view ({view}) takes {worst:.1f}x the time "
                f"[target <= 3x for 10x: {verdict}]"
            )
        if 1_000_000 in results:
            slowest = max(results[1_000_000].values())
            verdict = "PASS" if slowest <= 300 else "FAIL"
            lines.append(
                f"- Slowest view at 1,000,000 rows: {slowest:.0f} ms "
                f"[target <= 300 ms: {verdict}]"
            )
        write_docs(lines)


if __name__ == "__main__":
    main()
