"""Which station she joins next (ADR 0014). Pure functions: the services pass in
the loads they read, and the day simulation uses the same rule.

Her route is ordered by step; within the lowest step she still has open, order
does not matter, so she joins the station where she is expected to be seen
soonest: (women waiting + women in its rooms) * minutes per woman / rooms.
Ties go to the lower step, then the station made first. First-come routing
(the plain order, kept for comparison) takes the first open station in order.
"""

from dataclasses import dataclass

SHORTEST_WAIT = "shortest_wait"
IN_ORDER = "in_order"
RULES = (SHORTEST_WAIT, IN_ORDER)


@dataclass(frozen=True)
class Candidate:
    station_id: int
    step: int
    service_minutes: int
    rooms: int


@dataclass(frozen=True)
class Load:
    waiting: int = 0
    in_rooms: int = 0


def expected_wait_minutes(candidate: Candidate, load: Load) -> float:
    """Minutes until a woman joining now is called, on average."""
    return (load.waiting + load.in_rooms) * candidate.service_minutes / candidate.rooms


def choose_next(
    candidates: list[Candidate], loads: dict[int, Load], *, rule: str = SHORTEST_WAIT
) -> Candidate | None:
    """The station she joins next among the open ones of her route, or None."""
    if not candidates:
        return None
    ordered = sorted(candidates, key=lambda c: (c.step, c.station_id))
    if rule == IN_ORDER:
        return ordered[0]
    lowest = ordered[0].step
    same_step = [c for c in ordered if c.step == lowest]
    return min(
        same_step,
        key=lambda c: (
            expected_wait_minutes(c, loads.get(c.station_id, Load())),
            c.station_id,
        ),
    )


# The tests a campaign's services take (screening.ServiceScope values).
SCOPE_TESTS = {
    "cervical": {"hpv", "cytology"},
    "breast": {"cbe", "breast_ultrasound", "mammography"},
    "both": {"hpv", "cytology", "cbe", "breast_ultrasound", "mammography"},
}


def on_route(
    *,
    tests: list[str],
    min_age: int | None,
    max_age: int | None,
    scope: str,
    age: int,
) -> bool:
    """A station is on her route when it does registration or a test her
    campaign offers, and her age is within its range (mammography is often set
    to start at an age the hospital chooses)."""
    wanted = {"registration"} | SCOPE_TESTS.get(scope, set())
    if not wanted.intersection(tests):
        return False
    if min_age is not None and age < min_age:
        return False
    return max_age is None or age <= max_age
