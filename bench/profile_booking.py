"""One booking at a time, in-process: the statements it runs and the CPU it costs,
beside the ceiling's, on the bench data. Where the Locust figures show booking
short of its target, this says where the time goes (ADR 0007).

Run by `bench/run` before the load scenarios, with the participants at the end of
each list (the scenarios take theirs from the start).

It needs the servers and data of `bench/run`: from a clean clone, `make bench`
runs it at full size, and `bench/run --smoke` (in `make test`) at a tiny one.
"""

import csv
import json
import os
import random
import time
from pathlib import Path
from typing import Any

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

# bench/run points BENCH_DATA elsewhere for its smoke run.
DATA = Path(
    os.environ.get("BENCH_DATA")
    or Path(__file__).resolve().parents[1] / "var" / "bench"
)
REQUESTS = int(os.environ.get("BENCH_PROFILE_REQUESTS", "300"))
# A repeated run (before and after a change, alternating) takes the women before
# the ones the earlier runs booked: BENCH_PROFILE_SKIP of them from the end.
SKIP = int(os.environ.get("BENCH_PROFILE_SKIP", "0"))


def _rows(name: str) -> list[list[str]]:
    """The women of this run: REQUESTS + 2 of them, SKIP from the end."""
    with (DATA / name).open(newline="") as handle:
        rows = list(csv.reader(handle))
    end = len(rows) - SKIP
    return rows[end - (REQUESTS + 2) : end]


def _measure(post: Any, bodies: list[tuple[dict, dict]]) -> dict[str, Any]:
    statuses: dict[int, int] = {}
    warm, *rest = bodies
    post(*warm)
    with CaptureQueriesContext(connection) as queries:
        post(*rest[0])
    # Read at once: a reconnection later empties the connection's log.
    statements = len(queries.captured_queries)
    started_cpu, started = time.process_time(), time.perf_counter()
    for body, headers in rest[1:]:
        status = post(body, headers)
        statuses[status] = statuses.get(status, 0) + 1
    count = len(rest) - 1
    return {
        "statements": statements,
        "cpu_ms": 1000 * (time.process_time() - started_cpu) / count,
        "wall_ms": 1000 * (time.perf_counter() - started) / count,
        "statuses": statuses,
    }


def main() -> None:
    """Measures the application of DJANGO_SETTINGS_MODULE: the product's, or the
    ceiling's (bench.ceiling.settings), each with its own middleware and URLs."""
    from django.conf import settings

    manifest = json.loads((DATA / "manifest.json").read_text())
    client = Client(HTTP_HOST="127.0.0.1")
    is_ceiling = settings.ROOT_URLCONF == "bench.ceiling.urls"
    if is_ceiling:
        rows = _rows("ceiling_participants.csv")
        bodies = [
            (
                {
                    "slot": random.choice(manifest["ceiling_slots"]),
                    "participant": int(row[0]),
                },
                {},
            )
            for row in rows
        ]
        path = "/book/"
    else:
        rows = _rows("product_participants.csv")
        bodies = [
            (
                {"slot": random.choice(manifest["product_slots"])},
                {"HTTP_AUTHORIZATION": f"Bearer {row[1]}"},
            )
            for row in rows
        ]
        path = "/api/v1/appointments/"

    def book(body: dict, headers: dict) -> int:
        return client.post(
            path, body, content_type="application/json", **headers
        ).status_code

    name = "ceiling" if is_ceiling else "booking"
    (DATA / f"profile_{name}.json").write_text(json.dumps(_measure(book, bodies)))


if __name__ == "__main__":
    main()
