"""The union's turnout and outcome reports on the primary and on a streaming
replica of it, timed on the bench data (`make bench` runs it after the load).

Starts a replica of the cluster behind DATABASE_URL (scripts/replica.sh:
pg_basebackup into a temporary directory, a second cluster on
BENCH_REPLICA_PORT, default 6530), then times `turnout_report` and
`outcome_report` for the product campaign, median of 5 after one warm-up, once
reading the primary and once the replica (common.report_reads), and prints one
JSON line with the figures and the replica's lag. Stops and removes the replica.

    python -m bench.replica_reports > var/bench/replica_reports.json
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.db import DEFAULT_DB_ALIAS, connections  # noqa: E402

from common.report_reads import REPORTS_ALIAS, replica_lag_seconds  # noqa: E402
from scheduling.reports.outcomes import outcome_report  # noqa: E402
from scheduling.reports.turnout import turnout_report  # noqa: E402
from screening.models import Campaign  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("BENCH_DATA") or ROOT / "var" / "bench")
RUNS = 5


def median_ms(call: Callable[[], object]) -> float:
    call()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        times.append(1000 * (time.perf_counter() - start))
    return round(statistics.median(times), 1)


def timings(campaign: Campaign) -> dict[str, float]:
    return {
        "turnout_ms": median_ms(
            lambda: turnout_report(
                campaign=campaign, group_by="district", date_from=None, date_to=None
            )
        ),
        "outcomes_ms": median_ms(
            lambda: outcome_report(campaign=campaign, date_from=None, date_to=None)
        ),
    }


def attach_replica(port: int) -> None:
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    connections.settings[REPORTS_ALIAS] = {
        **primary,
        "HOST": "127.0.0.1",
        "PORT": port,
        "OPTIONS": {**primary["OPTIONS"], "prepare_threshold": None},
    }


def main() -> None:
    manifest = json.loads((DATA / "manifest.json").read_text())
    campaign = Campaign.objects.get(pk=manifest["product_campaign"])
    on_primary = timings(campaign)
    directory = Path(tempfile.mkdtemp(prefix="ankang-bench-replica-"))
    port = int(os.environ.get("BENCH_REPLICA_PORT", "6530"))
    script = ["bash", str(ROOT / "scripts" / "replica.sh")]
    primary_port = str(connections[DEFAULT_DB_ALIAS].settings_dict["PORT"] or 5432)
    env = {**os.environ, "PRIMARY_PORT": os.environ.get("PRIMARY_PORT", primary_port)}
    started = time.perf_counter()
    subprocess.run([*script, "start", str(directory), str(port)], env=env, check=True)
    copy_seconds = round(time.perf_counter() - started, 1)
    try:
        attach_replica(port)
        on_replica = timings(campaign)
        lag = replica_lag_seconds(REPORTS_ALIAS)
    finally:
        if REPORTS_ALIAS in connections.settings:
            connections[REPORTS_ALIAS].close()
        subprocess.run([*script, "stop", str(directory)], env=env, check=False)
        shutil.rmtree(directory, ignore_errors=True)
    print(
        json.dumps(
            {
                "primary": on_primary,
                "replica": on_replica,
                "replica_lag_seconds": lag,
                "base_backup_and_start_seconds": copy_seconds,
            }
        )
    )


if __name__ == "__main__":
    main()
