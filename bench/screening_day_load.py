"""Station actions under load: 20 rooms acting at once on a day of many women.

Every woman is checked in first (ticket_open); then one thread per room calls,
starts and finishes women until its line is empty, timing each action."""

import threading
import time
from datetime import date

from django.db import connection

from bench.screening_day_setup import make_day
from stations import services

# Five stations of four rooms: registration, then four in any order.
LOAD_PLAN = (
    ("registration", ["registration"], 4, 2, 1),
    ("gynaecology", ["hpv", "cytology"], 4, 7, 2),
    ("breast_exam", ["cbe"], 4, 4, 2),
    ("ultrasound", ["breast_ultrasound"], 4, 6, 2),
    ("mammography", ["mammography"], 4, 6, 2),
)


def _room(station, room: int, timings: list[float], stop_at: float) -> None:  # type: ignore[no-untyped-def]
    try:
        idle_rounds = 0
        while time.monotonic() < stop_at and idle_rounds < 50:
            started = time.perf_counter()
            stop = services.station_call_next(station=station, room=room)
            timings.append(time.perf_counter() - started)
            if stop is None:
                idle_rounds += 1
                time.sleep(0.02)  # others are still feeding this line
                continue
            idle_rounds = 0
            for step in (services.stop_start, services.stop_done):
                started = time.perf_counter()
                step(station=station, visit_id=stop.ticket.visit_id)
                timings.append(time.perf_counter() - started)
    finally:
        connection.close()


def load_run(*, women: int, day: date, seconds: float) -> dict[str, object]:
    _site, stations, visits = make_day(
        label=f"load-{time.monotonic_ns()}", day=day, women=women, plan=LOAD_PLAN
    )
    for visit in visits:
        services.ticket_open(visit=visit)
    timings: list[float] = []
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_room, args=(station, room, timings, stop_at))
        for station in stations
        for room in range(1, station.rooms + 1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(timings)

    def pct(q: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "women": women,
        "rooms": len(threads),
        "actions": len(ordered),
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
        "max_ms": round(1000 * ordered[-1], 1),
    }
