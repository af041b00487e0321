"""The rule for the next station (ADR 0014), without a database."""

from stations.routing import (
    IN_ORDER,
    Candidate,
    Load,
    choose_next,
    expected_wait_minutes,
    on_route,
)

GYN = Candidate(station_id=2, step=2, service_minutes=8, rooms=3)
CBE = Candidate(station_id=3, step=2, service_minutes=4, rooms=2)
LATER = Candidate(station_id=9, step=3, service_minutes=1, rooms=9)


def test_expected_wait_counts_the_women_ahead_and_inside_over_the_rooms() -> None:
    assert expected_wait_minutes(GYN, Load(waiting=4, in_rooms=2)) == 16


def test_where_order_does_not_matter_she_joins_the_shortest_expected_wait() -> None:
    loads = {2: Load(waiting=0, in_rooms=1), 3: Load(waiting=3, in_rooms=2)}

    assert choose_next([CBE, GYN, LATER], loads) == GYN


def test_a_later_step_waits_however_empty_it_is() -> None:
    assert choose_next([LATER, CBE], {3: Load(waiting=50)}) == CBE


def test_equal_waits_go_to_the_station_made_first() -> None:
    assert choose_next([CBE, GYN], {}) == GYN


def test_first_come_routing_keeps_the_plain_order() -> None:
    loads = {2: Load(waiting=30), 3: Load()}

    assert choose_next([CBE, GYN], loads, rule=IN_ORDER) == GYN


def test_nothing_left_means_no_station() -> None:
    assert choose_next([], {}) is None


def test_a_breast_only_campaign_skips_the_gynaecological_exam() -> None:
    assert not on_route(
        tests=["hpv"], min_age=None, max_age=None, scope="breast", age=40
    )
    assert on_route(tests=["cbe"], min_age=None, max_age=None, scope="breast", age=40)


def test_an_age_range_keeps_younger_women_off_the_station() -> None:
    assert not on_route(
        tests=["mammography"], min_age=45, max_age=None, scope="both", age=40
    )
    assert on_route(
        tests=["mammography"], min_age=45, max_age=None, scope="both", age=45
    )


def test_registration_is_on_every_route() -> None:
    assert on_route(
        tests=["registration"], min_age=None, max_age=None, scope="cervical", age=50
    )
