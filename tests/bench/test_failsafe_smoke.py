"""The failsafe benchmark's smoke mode: its own load, the real sweep and the
worklist's queries at 2,000 tubes in a throwaway database. Correctness, never
speed: exactly the overdue tubes stand on the list, each on the tier its age
says, and a second sweep adds nothing."""

import subprocess
import sys

import pytest

from bench import smoke
from tests.bench.test_smoke import ROOT, outcome, smoke_env

pytestmark = pytest.mark.bench_smoke


@pytest.fixture(scope="module")
def run() -> dict:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.failsafe", "--smoke"],
        cwd=ROOT,
        env=smoke_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return outcome(process)


def test_the_failsafe_bench_puts_exactly_the_overdue_tubes_on_their_tiers(run):
    assert run["returncode"] == 0, run["tail"]
    checks = run["line"]["checks"]

    assert run["line"]["ok"] is True
    assert checks["specimens"] == 2000
    assert checks["items"] == checks["expected_items"] > 0
    assert checks["tiers"] == checks["expected_tiers"]
    assert checks["added_again"] == 0
    assert checks["lost_recalled"] == checks["tiers"]["3"]


def test_the_failsafe_smoke_run_leaves_no_database_behind(run):
    name = smoke.database_url("failsafe").rsplit("/", 1)[1]
    with smoke._admin(smoke.database_url("failsafe")) as admin:
        left = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchall()

    assert run["returncode"] == 0
    assert left == []
