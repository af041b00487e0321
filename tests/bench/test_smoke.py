"""Every benchmark runs at a tiny size in the suite, so that none of them rots unseen.

Each smoke run is the benchmark's own code path in a throwaway database of its own
(bench/smoke.py), started here as it is started from the command line. The tests
read the JSON line each prints and check its correctness, never its speed: counts
equal what was loaded, nothing twice, nothing missing. The four run at once (they
spend much of their time waiting on servers and workers), once for the module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import smoke

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
COMMANDS = {
    "turnout": [PYTHON, "-m", "bench.turnout", "--smoke"],
    "indicators": [PYTHON, "-m", "bench.indicators", "--smoke"],
    "csv_import": [PYTHON, "bench/csv_import.py", "--smoke"],
    "reminders": [PYTHON, "bench/reminders.py", "--smoke"],
    "screening_day": [PYTHON, "bench/screening_day.py", "--smoke"],
    # Seed, both servers, a worker, every Locust scenario, the in-process profile,
    # the CPU split, the hot slot, the counts and the page-weight walk.
    "serving": ["bash", "bench/run", "--smoke"],
}
TIMEOUT_SECONDS = 600
# What config.settings.test fills into this process's environment: a benchmark
# makes its own secrets and picks its own settings, as it does when run by hand.
TEST_SETTINGS_ENV = (
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEY",
    "ID_HASH_KEY",
    "ALLOWED_HOSTS",
    "SMS_BACKEND",
    "STAFF_TWO_FACTOR_REQUIRED",
)

pytestmark = pytest.mark.bench_smoke


def smoke_env(**extra: str) -> dict[str, str]:
    """The suite's environment (its DATABASE_URL and REDIS_URL name where the
    throwaway databases go) without what the test settings added."""
    env = {k: v for k, v in os.environ.items() if k not in TEST_SETTINGS_ENV}
    env["PATH"] = f"{Path(PYTHON).parent}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **extra}


def finished(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def outcome(process: subprocess.Popen) -> dict[str, object]:
    """Return code, output, and the smoke line the benchmark printed (or None)."""
    out, err = process.communicate(timeout=TIMEOUT_SECONDS)
    lines = [line for line in out.splitlines() if line.startswith('{"bench"')]
    return {
        "returncode": process.returncode,
        "line": json.loads(lines[-1]) if lines else None,
        "tail": (out[-2000:], err[-3000:]),
    }


@pytest.fixture(scope="module")
def smoke_runs() -> dict[str, dict[str, object]]:
    env = smoke_env()
    started = {name: finished(command, env) for name, command in COMMANDS.items()}
    return {name: outcome(process) for name, process in started.items()}


def ran(smoke_runs: dict, name: str) -> dict[str, object]:
    run = smoke_runs[name]
    assert run["returncode"] == 0, (run["line"], run["tail"])
    assert run["line"] is not None, run["tail"]
    assert run["line"]["bench"] == name
    assert run["line"]["ok"] is True, run["line"]
    return run["line"]["checks"]


def test_the_turnout_report_counts_every_loaded_appointment_in_every_view(
    smoke_runs,
) -> None:
    checks = ran(smoke_runs, "turnout")

    assert checks["rows"] == 300
    assert checks["wrong"] == []
    assert checks["views"] == 12
    assert checks["places_taken"] == checks["expected"]["quota_used"]


def test_the_indicators_count_every_woman_once_and_the_union_sees_rounded_counts(
    smoke_runs,
) -> None:
    checks = ran(smoke_runs, "indicators")

    assert checks["women"] == 300
    assert checks["hpv_positive"] == checks["hpv_positive_sql"]
    assert checks["union_not_rounded"] == []
    assert checks["year_columns"] == 5
    assert checks["xlsx_bytes"] > 0


def test_the_lab_import_records_every_row_once(smoke_runs) -> None:
    checks = ran(smoke_runs, "csv_import")

    assert checks["recorded"] == checks["rows"] == 400
    assert checks["twice"] == 0
    assert checks["errors"] == 0


def test_the_simulated_screening_day_leaves_no_station_open(smoke_runs) -> None:
    checks = ran(smoke_runs, "screening_day")

    assert checks["open_stops"] == 0
    assert checks["rules"] == ["in_order", "shortest_wait"]
    assert checks["load_actions"] > 0


def test_the_reminders_reach_the_file_once_each(smoke_runs) -> None:
    checks = ran(smoke_runs, "reminders")

    assert checks["rows"] == 300
    assert checks["twice"] == 0
    assert checks["missing"] == 0
    assert checks["not_sent"] == 0


def test_the_serving_benchmark_runs_every_scenario_and_never_overbooks(
    smoke_runs,
) -> None:
    checks = ran(smoke_runs, "serving")

    assert all(s["requests"] > 0 for s in checks["scenarios"].values())
    assert all(s["failures"] == 0 for s in checks["scenarios"].values())
    assert checks["hot_slot"] == {"201": 10, "409 slot_full": 20}
    assert checks["counts"]["mismatched"] == 0
    assert checks["counts"]["overbooked"] == 0
    assert checks["pages"] == 16


def databases_left(names: list[str]) -> list[str]:
    with smoke._admin(smoke.database_url("turnout")) as admin:
        rows = admin.execute(
            "SELECT datname FROM pg_database WHERE datname = ANY(%s)", [names]
        ).fetchall()
    return [name for (name,) in rows]


def test_no_smoke_run_leaves_its_database_behind(smoke_runs) -> None:
    names = [smoke.database_url(name).rsplit("/", 1)[1] for name in COMMANDS]

    assert databases_left(names) == []


# The set-up a future migration could break: a column the bulk loader does not
# know, required, with no default in the database or the model.
BREAK_THE_CAMPAIGN_TABLE = """
import sys
sys.argv = ["turnout", "--smoke"]
import bench.turnout as turnout
from django.db import connection
from django.db.models.signals import post_migrate

def add_required_column(sender, **kwargs):
    if sender.label == "screening":
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE screening_campaign ADD COLUMN smoke_extra integer NOT NULL"
            )

post_migrate.connect(add_required_column, weak=False)
turnout.main()
"""


def test_a_required_column_without_a_default_fails_the_turnout_smoke_run() -> None:
    stem = smoke.database_url("turnout").rsplit("/", 1)[1] + "_broken"
    env = smoke_env(BENCH_SMOKE_DATABASE=stem)
    process = subprocess.run(
        [PYTHON, "-c", BREAK_THE_CAMPAIGN_TABLE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )

    assert process.returncode != 0
    assert "screening_campaign: no value for required columns ['smoke_extra']" in (
        process.stderr
    )
    assert '"ok": true' not in process.stdout
    assert databases_left([f"{stem}_smoke_turnout"]) == []
