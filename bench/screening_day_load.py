"""Station actions under load: 20 rooms acting at once on a day of many women.

Every woman is checked in first (ticket_open). Then 20 rooms, each its own
process with its own connection (as 20 tablets reach 20 server workers), act in
rounds: a barrier releases every room at the same instant, each takes its next
step (call next, start, or done) and times it. The p99 is over every action."""

import multiprocessing
import time
from datetime import date

from django.db import connections

from bench.screening_day_setup import make_day

# Five stations of four rooms: registration, then four in any order.
LOAD_PLAN = (
    ("registration", ["registration"], 4, 2, 1),
    ("gynaecology", ["hpv", "cytology"], 4, 7, 2),
    ("breast_exam", ["cbe"], 4, 4, 2),
    ("ultrasound", ["breast_ultrasound"], 4, 6, 2),
    ("mammography", ["mammography"], 4, 6, 2),
)
BARRIER_TIMEOUT_SECONDS = 120


def _timed(step, **kwargs) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = step(**kwargs)
    return time.perf_counter() - started, result


def _room(station, room, rounds, barrier, out) -> None:  # type: ignore[no-untyped-def]
    """One room: call, start, done, one step a round, each round at once."""
    from stations import services

    connections.close_all()  # a connection of its own, never the parent's
    connections["default"].ensure_connection()  # opened before the clock runs
    timings: list[float] = []
    visit_id = None
    for n in range(rounds):
        barrier.wait(timeout=BARRIER_TIMEOUT_SECONDS)
        phase = n % 3
        if phase == 0:
            took, stop = _timed(services.station_call_next, station=station, room=room)
            visit_id = stop.ticket.visit_id if stop is not None else None
        elif visit_id is None:
            continue
        elif phase == 1:
            took, _ = _timed(services.stop_start, station=station, visit_id=visit_id)
        else:
            took, _ = _timed(services.stop_done, station=station, visit_id=visit_id)
        timings.append(took)
    connections.close_all()
    out.put(timings)


def load_run(*, women: int, day: date, rounds: int) -> dict[str, object]:
    from stations import services

    _site, stations, visits = make_day(
        label=f"load-{time.monotonic_ns()}", day=day, women=women, plan=LOAD_PLAN
    )
    for visit in visits:
        services.ticket_open(visit=visit)
    connections.close_all()  # forked rooms must not share this connection
    rooms = [(s, r) for s in stations for r in range(1, s.rooms + 1)]
    context = multiprocessing.get_context("fork")
    barrier, out = context.Barrier(len(rooms)), context.Queue()
    processes = [
        context.Process(target=_room, args=(station, room, rounds, barrier, out))
        for station, room in rooms
    ]
    for process in processes:
        process.start()
    timings = sorted(t for _ in processes for t in out.get(timeout=600))
    for process in processes:
        process.join()

    def pct(q: float) -> float:
        return round(1000 * timings[min(len(timings) - 1, int(q * len(timings)))], 1)

    return {
        "women": women,
        "rooms": len(rooms),
        "actions": len(timings),
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
        "max_ms": round(1000 * timings[-1], 1),
    }
