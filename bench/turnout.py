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
import secrets
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial

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

from bench.turnout_docs import Figures, docs_lines, write_docs  # noqa: E402
from bench.turnout_load import generate  # noqa: E402
from scheduling.reports.turnout import (  # noqa: E402
    GROUP_BYS,
    turnout_counts,
    turnout_report,
)
from screening.models import Campaign  # noqa: E402


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


def _arguments() -> argparse.Namespace:
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
    return parser.parse_args()


def _run_sizes(args: argparse.Namespace) -> tuple[Figures, Figures, dict[int, float]]:
    """Each size loaded and timed: with the rollup, without it (up to 1,000,000
    rows, with --direct), and the triggers' cost per booking."""
    results: Figures = {}
    direct: Figures = {}
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
    return results, direct, overhead


def main() -> None:
    if smoke.requested():
        run_smoke()
        return
    args = _arguments()
    ensure_database()
    call_command("migrate", verbosity=0, interactive=False)
    results, direct, overhead = _run_sizes(args)
    if args.write_docs:
        write_docs(docs_lines(args.repeat, results, direct, overhead))


if __name__ == "__main__":
    main()
