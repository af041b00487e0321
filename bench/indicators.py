"""Indicators and the quarterly table at scale (issue: indicators on 1,000,000
women in <= 2 s; the quarterly XLSX for a year in <= 10 s).

Fills a throwaway database (bench/indicators_load.py: one campaign, every woman
with a visit, results, a summary, follow-up cases and quiz takes), then times the
indicator report the way each audience asks it and the year's quarterly table
with its XLSX, median of `--repeat` after one warm-up.

    .venv/bin/python -m bench.indicators --size 1000000 --write-docs

The database named by DATABASE_URL (default ankang_bench_indicators) is created
if missing and migrated. `--smoke` runs the same path at 300 women in a database
of its own (bench/smoke.py), checks the counts against direct SQL, and drops it.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import time
from collections.abc import Callable

os.environ.setdefault(
    "DATABASE_URL", "postgres://root@127.0.0.1:5432/ankang_bench_indicators"
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
    smoke.enter("indicators")
# Kept now: importing another bench's helpers below enters that bench's own
# smoke database too, and both must be dropped at the end.
SMOKE_URL = os.environ["DATABASE_URL"]

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.indicators_load import generate_women  # noqa: E402
from bench.turnout import ensure_database  # noqa: E402
from bench.turnout_docs import git_revision, write_docs  # noqa: E402
from indicators.quarterly import quarterly_table  # noqa: E402
from indicators.report import indicator_report  # noqa: E402
from indicators.xlsx import quarterly_xlsx  # noqa: E402
from screening.models import Campaign  # noqa: E402

SMOKE_SIZE = 300
SECTION = "## Indicators and the quarterly table"


def median_s(call: Callable[[], object], repeat: int) -> float:
    call()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def runs(campaign: Campaign) -> dict[str, Callable[[], object]]:
    def year_xlsx() -> bytes:
        table = quarterly_table(campaign=campaign, quarter="2026")
        return quarterly_xlsx(table, unit="all")

    return {
        "clinic, exact, whole campaign": lambda: indicator_report(
            campaign=campaign, exact=True
        ),
        "clinic, exact, by site": lambda: indicator_report(
            campaign=campaign, exact=True, group_by="site"
        ),
        "union, suppressed, whole campaign": lambda: indicator_report(
            campaign=campaign, exact=False
        ),
        "union, suppressed, by occupation": lambda: indicator_report(
            campaign=campaign, exact=False, group_by="occupation"
        ),
        "quarterly XLSX for the year (4 quarters + year)": year_xlsx,
    }


def smoke_checks(campaign: Campaign) -> dict[str, object]:
    got = {f.code: f for f in indicator_report(campaign=campaign, exact=True).total}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT v.participant_id) FROM screening_result r JOIN "
            "screening_visit v ON v.id = r.visit_id WHERE r.test = 'hpv' AND "
            "r.value IN ('HPV_16_18_POS', 'HPV_OTHER_POS')"
        )
        positive = cursor.fetchone()[0]
    union = indicator_report(campaign=campaign, exact=False, group_by="site")
    shown = [f.numerator for f in union.total if f.numerator is not None]
    table = quarterly_table(campaign=campaign, quarter="2026")
    return {
        "women": got["screened"].numerator,
        "hpv_positive": got["hpv_positivity"].numerator,
        "hpv_positive_sql": positive,
        "union_not_rounded": [
            n for n in shown if n % 10 and n != union.target_population
        ],
        "year_columns": len(table.columns),
        "xlsx_bytes": len(quarterly_xlsx(table, unit="all")),
    }


def run_smoke() -> None:
    ensure_database()
    call_command("migrate", verbosity=0, interactive=False)
    try:
        campaign = Campaign.objects.get(pk=generate_women(SMOKE_SIZE))
        for call in runs(campaign).values():
            median_s(call, 1)
        checks = smoke_checks(campaign)
    finally:
        connection.close()
        for url in {SMOKE_URL, os.environ["DATABASE_URL"]}:
            smoke.drop_database(url)
    ok = (
        checks["women"] == SMOKE_SIZE
        and checks["hpv_positive"] == checks["hpv_positive_sql"]
        and not checks["union_not_rounded"]
        and checks["year_columns"] == 5
    )
    smoke.report("indicators", checks, ok=ok)


def docs_lines(
    size: int, repeat: int, figures: dict[str, float], load_s: float
) -> list[str]:
    lines = [
        SECTION,
        "",
        f"`python -m bench.indicators --size {size}` at revision {git_revision()}, on "
        "this 2-core machine, PostgreSQL 15 with its default settings; median of "
        f"{repeat} runs after one warm-up. One campaign, {size:,} women each with one "
        "visit (HPV, ultrasound and breast exam for all, cytology for half), a "
        "summary, "
        "a follow-up case for the abnormal, a quiz take for a third; loaded in "
        f"{load_s:.0f} s.",
        "",
        "| Question | Seconds | Target |",
        "| --- | ---: | ---: |",
    ]
    for name, seconds in figures.items():
        target = "10" if "XLSX" in name else "2"
        lines.append(f"| {name} | {seconds:.2f} | {target} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--measure-only", action="store_true")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        run_smoke()
        return
    ensure_database()
    call_command("migrate", verbosity=0, interactive=False)
    began = time.perf_counter()
    campaign_id = 1 if args.measure_only else generate_women(args.size)
    load_s = time.perf_counter() - began
    campaign = Campaign.objects.get(pk=campaign_id)
    figures = {
        name: median_s(call, args.repeat) for name, call in runs(campaign).items()
    }
    for name, seconds in figures.items():
        print(f"{name}: {seconds:.2f}s")
    if args.write_docs:
        write_docs_section(docs_lines(args.size, args.repeat, figures, load_s))


def write_docs_section(lines: list[str]) -> None:
    import bench.turnout_docs as docs

    saved = docs.SECTION
    docs.SECTION = SECTION
    try:
        write_docs(lines)
    finally:
        docs.SECTION = saved


if __name__ == "__main__":
    main()
