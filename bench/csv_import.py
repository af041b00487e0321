"""Lab CSV import at scale (SPEC §7: 100,000 rows in <= 60 s, <= 300 MB peak).

Creates the visits with bulk_create, writes a 100,000-row lab CSV, uploads it
through result_import_create and runs the import task function in this process,
as a worker would. From a clean clone, after `make test` (which installs the
tools), the full run is:

    .venv/bin/python bench/csv_import.py

It creates and migrates the database of DATABASE_URL (default
ankang_bench_csv, which it owns: its results are emptied first), prints one line
and writes the "## Lab CSV import" section of docs/benchmarks.md, leaving the
other sections as they are.

`--smoke` imports 400 rows into a throwaway database of its own (bench/smoke.py),
checks that every row became exactly one current result, and drops it.
"""

import csv
import io
import os
import platform
import resource
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import smoke

SMOKE = smoke.requested()
if SMOKE:
    smoke.enter("csv_import")
os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/ankang_bench_csv")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
# Summary tasks are enqueued, not run: the figure is the import's own.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from common.crypto import keyed_hash  # noqa: E402
from screening.models import (  # noqa: E402
    Campaign,
    CampaignStatus,
    District,
    FollowUpCase,
    Participant,
    Result,
    ResultImport,
    ResultSummary,
    Visit,
)
from screening.services import result_import_create  # noqa: E402
from screening.tasks import result_import_run_task  # noqa: E402

ROWS = 400 if SMOKE else int(os.environ.get("BENCH_CSV_ROWS", "100000"))
TESTS_PER_VISIT = 2
WOMEN = min(5000, ROWS // TESTS_PER_VISIT)
TARGET_SECONDS = 60
TARGET_MB = 300
DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADING = "## Lab CSV import"
VALUES = {
    "hpv": ("HPV_NEG", "HPV_NEG", "HPV_NEG", "HPV_OTHER_POS", "HPV_16_18_POS"),
    "cytology": ("NILM", "NILM", "NILM", "ASC_US", "LSIL"),
}


def reset() -> None:
    # The bench owns this database. TRUNCATE, not delete(): Django's delete
    # loads every row, which would set the peak memory before the import runs.
    tables = [
        model._meta.db_table
        for model in (ResultSummary, FollowUpCase, Result, ResultImport, Visit)
    ]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(tables) + " CASCADE")


def setup() -> list[str]:
    district, _ = District.objects.get_or_create(code="990001", name="基准区")
    campaign = Campaign.objects.create(
        name="CSV bench",
        starts_on=date(2030, 1, 1),
        ends_on=date(2030, 12, 31),
        registration_opens_at="2029-12-01T00:00:00+08:00",
        registration_closes_at="2030-12-31T00:00:00+08:00",
        quota=ROWS,
        status=CampaignStatus.CLOSED,
    )
    existing = Participant.objects.filter(district=district).count()
    if existing < WOMEN:
        Participant.objects.bulk_create(
            Participant(
                phone=f"1770{n:07d}",
                phone_hash=keyed_hash(f"1770{n:07d}", purpose="phone"),
                full_name="基准",
                id_number=f"BENCH{n:07d}",
                id_hash=keyed_hash(f"BENCH{n:07d}", purpose="id"),
                birth_date=date(1980, 1, 1),
                sex="F",
                employment_type="courier",
                district=district,
            )
            for n in range(existing, WOMEN)
        )
    women = list(
        Participant.objects.filter(district=district).values_list("pk", flat=True)
    )
    visit_count = ROWS // TESTS_PER_VISIT
    references = [f"B{n:07d}" for n in range(visit_count)]
    Visit.objects.bulk_create(
        (
            Visit(
                campaign=campaign,
                participant_id=women[n % len(women)],
                site_id=1,
                site_name="基准院区",
                day=date(2030, 3, 1),
                appointment_id=None,
                reference=reference,
            )
            for n, reference in enumerate(references)
        ),
        batch_size=5000,
    )
    return references


def lab_csv(references: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["reference", "test", "value", "notes"])
    for n, reference in enumerate(references):
        for test, values in VALUES.items():
            notes = "复查" if n % 20 == 0 else ""
            writer.writerow([reference, test, values[n % len(values)], notes])
    return out.getvalue().encode()


def write_section(line: str, details: list[str]) -> None:
    section = "\n".join([HEADING, "", line, "", *details, ""])
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if HEADING in text:
        before, _, after = text.partition(HEADING)
        rest = after.split("\n## ", 1)
        tail = "\n## " + rest[1] if len(rest) == 2 else ""
        text = before + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text)


def ensure_database() -> None:
    """Create the database of DATABASE_URL when missing (a smoke run has made its
    own already), then migrate it."""
    settings = connection.settings_dict
    with smoke.psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        found = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]
        ).fetchone()
        if not found:
            admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')
    call_command("migrate", verbosity=0, interactive=False)


def smoke_checks(result_import: ResultImport) -> dict[str, object]:
    """Every row recorded once as a current result: none missing, none twice."""
    current = Result.objects.filter(result_import=result_import, is_current=True)
    twice = (
        current.values("visit_id", "test")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    return {
        "rows": result_import.total,
        "status": result_import.status,
        "recorded": current.count(),
        "errors": result_import.error_count,
        "twice": twice,
    }


def run_smoke() -> None:
    url = os.environ["DATABASE_URL"]
    try:
        ensure_database()
        references = setup()
        content = lab_csv(references)
        result_import = result_import_create(
            uploaded_file=SimpleUploadedFile(
                "lab.csv", content, content_type="text/csv"
            ),
            by=None,
        )
        result_import_run_task(result_import.pk)
        checks = smoke_checks(ResultImport.objects.get(pk=result_import.pk))
    finally:
        connection.close()
        smoke.drop_database(url)
    ok = (
        checks["rows"] == ROWS
        and checks["status"] == "done"
        and checks["recorded"] == ROWS
        and checks["errors"] == 0
        and checks["twice"] == 0
    )
    smoke.report("csv_import", checks, ok=ok)


def main() -> None:
    if SMOKE:
        run_smoke()
        return
    ensure_database()
    reset()
    references = setup()
    content = lab_csv(references)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    upload_started = time.perf_counter()
    result_import = result_import_create(
        uploaded_file=SimpleUploadedFile("lab.csv", content, content_type="text/csv"),
        by=None,
    )
    upload_seconds = time.perf_counter() - upload_started
    del content
    started = time.perf_counter()
    result_import_run_task(result_import.pk)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    done = ResultImport.objects.defer("content").get(pk=result_import.pk)
    recorded = Result.objects.filter(result_import=done, is_current=True).count()
    ok = (
        seconds <= TARGET_SECONDS
        and peak_mb <= TARGET_MB
        and done.status == "done"
        and recorded == ROWS
    )
    line = (
        f"- lab CSV import: {done.total} rows in {seconds:.1f} s "
        f"({done.total / seconds:.0f} rows/s), peak RSS {peak_mb:.0f} MB "
        f"(before the import {rss_before:.0f} MB), status {done.status}, "
        f"{recorded} results recorded, {done.error_count} errors "
        f"[target <= {TARGET_SECONDS} s and <= {TARGET_MB} MB: "
        f"{'PASS' if ok else 'FAIL'}]"
    )
    print(line)
    details = [
        f"- Date: {timezone.localdate().isoformat()}; "
        f"Python {platform.python_version()}; "
        f"PostgreSQL {connection.pg_version // 10000}; {os.cpu_count()} cores.",
        f"- File: {ROWS} rows over {ROWS // TESTS_PER_VISIT} visits "
        f"({TESTS_PER_VISIT} tests each, UTF-8, {done.size // 1024} KB); upload and "
        f"checks {upload_seconds:.1f} s.",
        "- Run: `bench/csv_import.py` calls the import task function in-process "
        "against a throwaway migrated database; peak memory is the process's "
        "`ru_maxrss`, which includes building the file. Summaries are enqueued "
        "(one task per 500 visits), not computed, in this figure.",
    ]
    write_section(line, details)


if __name__ == "__main__":
    main()
