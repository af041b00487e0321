"""Station actions under load: 20 rooms acting at once on a day of many women.

Every woman is checked in first (ticket_open). Then 20 rooms, each its own
process with its own connection (as 20 tablets reach 20 server workers), act in
rounds: a barrier releases every room at the same instant, each takes its next
step (call next, start, or done) and times it. The p99 is over every action."""

import multiprocessing
import os
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
STEPS = ("call_next", "start", "done")


def _timed(step, **kwargs) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = step(**kwargs)
    return time.perf_counter() - started, result


def _ceiling(counter_id: int, rounds: int, barrier) -> list[float]:  # type: ignore[no-untyped-def]
    """The floor under any step on this machine: one committed one-row update
    (a row of its own, so nothing waits on a lock), released together."""
    from django.db.models import F

    from stations.models import QueueCounter

    timings = []
    for _ in range(rounds):
        barrier.wait(timeout=BARRIER_TIMEOUT_SECONDS)
        started = time.perf_counter()
        QueueCounter.objects.filter(pk=counter_id).update(last=F("last") + 1)
        timings.append(time.perf_counter() - started)
    return timings


def _room(station, room, rounds, barrier, out, counter_id) -> None:  # type: ignore[no-untyped-def]
    """One room: call, start, done, one step a round, each round at once."""
    from stations import services

    connections.close_all()  # a connection of its own, never the parent's
    connections["default"].ensure_connection()  # opened before the clock runs
    timings: list[tuple[str, float]] = []
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
        timings.append((STEPS[phase], took))
    ceiling = _ceiling(counter_id, rounds, barrier)
    connections.close_all()
    out.put((timings, ceiling))


def load_run(*, women: int, day: date, rounds: int) -> dict[str, object]:
    from stations import services
    from stations.models import QueueCounter

    site, stations, visits = make_day(
        label=f"load-{time.monotonic_ns()}", day=day, women=women, plan=LOAD_PLAN
    )
    for visit in visits:
        services.ticket_open(visit=visit)
    rooms = [(s, r) for s in stations for r in range(1, s.rooms + 1)]
    counters = [
        QueueCounter.objects.create(site_id=site.pk, day=date(2000, 1, 1 + n)).pk
        for n in range(len(rooms))
    ]
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier, out = context.Barrier(len(rooms)), context.Queue()
    processes = [
        context.Process(
            target=_room, args=(station, room, rounds, barrier, out, counter)
        )
        for (station, room), counter in zip(rooms, counters, strict=True)
    ]
    load_before = round(os.getloadavg()[0], 1)
    for process in processes:
        process.start()
    answers = [out.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    timings = sorted(t for steps, _ceiling in answers for _step, t in steps)
    floor = sorted(t for _steps, ceiling in answers for t in ceiling)
    by_step = {
        step: sorted(t for steps, _c in answers for name, t in steps if name == step)
        for step in STEPS
    }
    return {
        "women": women,
        "rooms": len(rooms),
        "actions": len(timings),
        "p50_ms": _pct(timings, 0.5),
        "p99_ms": _pct(timings, 0.99),
        "max_ms": round(1000 * timings[-1], 1),
        "ceiling_p50_ms": _pct(floor, 0.5),
        "ceiling_p99_ms": _pct(floor, 0.99),
        "p99_ms_by_step": {step: _pct(t, 0.99) for step, t in by_step.items() if t},
        "load_before": load_before,
    }


def _pct(ordered: list[float], q: float) -> float:
    return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)
