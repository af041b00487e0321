"""The demo's screening day: the launch day's stations at one site (DOMAIN §6.6),
so that a newcomer can walk a woman through the day in `make run`."""

from typing import Any

from stations.models import Station

DEMO_STATIONS = (
    # name, tests, rooms, room names, minutes, step
    ("登记 Registration", ["registration"], 2, "A1,A2", 3, 1),
    ("妇科检查 Gynaecology", ["hpv", "cytology"], 3, "201,202,203", 8, 2),
    ("乳腺触诊 Breast exam", ["cbe"], 2, "301,302", 4, 2),
    ("乳腺超声 Ultrasound", ["breast_ultrasound"], 2, "B超1,B超2", 7, 2),
)


def stations_demo_seed(*, site: Any) -> int:
    """The demo stations at `site`, made once; how many were new."""
    made = 0
    for name, tests, rooms, room_names, minutes, step in DEMO_STATIONS:
        _station, created = Station.objects.get_or_create(
            site=site,
            name=name,
            defaults={
                "tests": tests,
                "rooms": rooms,
                "room_names": room_names,
                "service_minutes": minutes,
                "step": step,
            },
        )
        made += created
    return made
