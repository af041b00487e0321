"""What one station action costs, in one process with nobody else acting: its
statements, its Python CPU and its PostgreSQL backend's CPU, per kind of action,
on a day of 2,000 women (the load bench's stations and rooms).

    .venv/bin/python bench/screening_day_actions.py             # 2,000 women
    .venv/bin/python bench/screening_day_actions.py --women 400 --cycles 5

The 20 rooms act one after another: each calls its next woman, then each starts,
then each finishes (and she joins her next line), for `--cycles` rounds. Under
20 rooms released together on two cores, the p99 is roughly the time to drain
such a burst, so these per-action figures are what the load run's p99 follows.

DATABASE_URL (default ankang_bench_day) names a throwaway database: migrated,
and each run makes a site of its own.
"""

import argparse
import gc
import os
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/ankang_bench_day")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.screening_day_load import LOAD_PLAN  # noqa: E402
from bench.screening_day_setup import make_day  # noqa: E402
from stations import services  # noqa: E402

DAY = date(2031, 3, 9)
TICK = os.sysconf("SC_CLK_TCK")


def _backend_cpu_seconds(pid: int) -> float:
    """User and system CPU of the PostgreSQL backend serving this connection
    (it runs on this machine), in seconds; clock-tick resolution."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


class Meter:
    """Per kind of action: count, wall, Python CPU, statements; the backend's
    CPU is read once around each phase (its clock ticks are 10 ms)."""

    def __init__(self, backend_pid: int) -> None:
        self.pid = backend_pid
        self.n: dict[str, int] = defaultdict(int)
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.db_cpu: dict[str, float] = defaultdict(float)
        self.statements: dict[str, int] = defaultdict(int)
        self.counted: dict[str, int] = defaultdict(int)
        self.worst: dict[str, float] = defaultdict(float)

    def phase(self, kind: str, calls: list, *, count: bool) -> list:  # type: ignore[type-arg]
        """Run `calls`; timed, or (`count`) with their statements counted
        (Django's query log, BEGIN and COMMIT included), untimed, since logging
        them costs time of its own."""
        results = []
        if count:
            for call in calls:
                with CaptureQueriesContext(connection) as queries:
                    results.append(call())
                self.counted[kind] += 1
                self.statements[kind] += len(queries.captured_queries)
            return results
        db_before = _backend_cpu_seconds(self.pid)
        for call in calls:
            wall, cpu = time.perf_counter(), time.process_time()
            results.append(call())
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            self.n[kind] += 1
            self.wall[kind] += wall
            self.cpu[kind] += cpu
            self.worst[kind] = max(self.worst[kind], wall)
        self.db_cpu[kind] += _backend_cpu_seconds(self.pid) - db_before
        return results

    def report(self) -> list[str]:
        lines = [
            "action        n  statements  wall ms  python cpu ms  db cpu ms  worst ms"
        ]
        for kind, n in self.n.items():
            lines.append(
                f"{kind:<10} {n:>4} {self.statements[kind] / self.counted[kind]:>11.1f}"
                f" {1000 * self.wall[kind] / n:>8.2f}"
                f" {1000 * self.cpu[kind] / n:>14.2f}"
                f" {1000 * self.db_cpu[kind] / n:>10.2f}"
                f" {1000 * self.worst[kind]:>9.1f}"
            )
        return lines


def run(*, women: int, cycles: int) -> Meter:
    _site, stations, visits = make_day(
        label=f"actions-{time.monotonic_ns()}", day=DAY, women=women, plan=LOAD_PLAN
    )
    started = time.perf_counter()
    for visit in visits:
        services.ticket_open(visit=visit)
    print(f"{women} women checked in in {time.perf_counter() - started:.1f} s")
    rooms = [(s, r) for s in stations for r in range(1, s.rooms + 1)]
    # The set-up's garbage (the migration graph, 2,000 check-ins) collected
    # now, not in the middle of a timed step.
    gc.collect()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        meter = Meter(cursor.fetchone()[0])
    # The timed cycles, then one with the statements counted.
    for cycle in range(cycles + 1):
        count = cycle == cycles
        called = meter.phase(
            "call_next",
            [
                lambda s=s, r=r: services.station_call_next(station=s, room=r)
                for s, r in rooms
            ],
            count=count,
        )
        here = [
            (s, stop.ticket.visit_id)
            for (s, _r), stop in zip(rooms, called, strict=True)
            if stop is not None
        ]
        steps = (("start", services.stop_start), ("done", services.stop_done))
        for kind, step in steps:
            meter.phase(
                kind,
                [lambda f=step, s=s, v=v: f(station=s, visit_id=v) for s, v in here],
                count=count,
            )
    return meter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--women", type=int, default=2000)
    parser.add_argument("--cycles", type=int, default=10)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    meter = run(women=args.women, cycles=args.cycles)
    print("\n".join(meter.report()))
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
