"""The second stage works in `make run`: the waitlist, the next-due register,
an invitation batch drafted, approved and sent to the outbox, deferrals and the
call list, run on the embedded SQLite settings (docs/adr/0011) from a database
built by every migration, as `make run` builds it.

Their own tests are run again in a process of their own on those settings
(tests/settings_make_run.py): the same behaviours, proved on SQLite too."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECOND_STAGE = [
    "tests/waitlist/test_services.py",
    "tests/waitlist/test_pages.py",
    "tests/recall",
    "tests/invitations",
    "tests/notifications/test_bulk_schedule.py",
    # The demo `make run` seeds collects and rejects tubes (the genotypes column).
    "tests/specimens/test_collect.py",
    "tests/specimens/test_reject.py",
    # The demo's lab CSV by barcode is imported in `make run` too.
    "tests/specimens/test_lab_import.py",
]


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings_make_run",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'make-run.sqlite3'}",
        "CELERY_BROKER_URL": "memory://",
    }


def test_the_make_run_test_settings_are_sqlite(tmp_path):
    vendor = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from django.db import connection; print(connection.vendor)",
        ],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert vendor.stdout.strip().splitlines()[-1] == "sqlite", vendor.stderr[-2000:]


def test_the_second_stage_passes_its_tests_on_the_make_run_sqlite_settings(
    tmp_path,
):
    env = _env(tmp_path)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--ds=tests.settings_make_run",
            "-q",
            "-p",
            "no:cacheprovider",
            *SECOND_STAGE,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )

    tail = "\n".join(run.stdout.splitlines()[-25:])
    assert run.returncode == 0, tail
    summary = run.stdout.strip().splitlines()[-1]
    passed = re.search(r"(\d+) passed", summary)
    assert passed, summary
    assert int(passed.group(1)) >= 60
    assert "failed" not in summary
    assert "error" not in summary
