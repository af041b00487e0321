"""The API of SPEC §8.2 through HTTP, with women checked in at the real desk."""

import pytest

from scheduling.desk import checkin as clinic
from stations.models import Ticket
from tests.scheduling.desk_support import booked_today, clinic_user, token_client
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import ParticipantFactory
from tests.stations.factories import hospital_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def stations():  # type: ignore[no-untyped-def]
    return hospital_day(SiteFactory())


@pytest.fixture
def nurse(stations):  # type: ignore[no-untyped-def]
    return clinic_user(stations[0].site)


@pytest.fixture
def api(nurse):  # type: ignore[no-untyped-def]
    return token_client(nurse)


def _check_in(site, nurse, name="王秀英"):  # type: ignore[no-untyped-def]
    appointment = booked_today(
        site=site, participant=ParticipantFactory(full_name=name)
    )
    clinic.appointment_check_in(by=nurse, reference=appointment.reference)
    return appointment


def test_check_in_at_the_desk_gives_her_a_number_and_the_first_line(
    api, stations, nurse
) -> None:  # type: ignore[no-untyped-def]
    _check_in(stations[0].site, nurse)

    response = api.get("/api/v1/clinic/stations/")

    assert response.status_code == 200
    first = response.json()[0]
    assert first["name"] == stations[0].name
    assert (first["waiting"], first["in_service"], first["rooms"]) == (1, 0, 2)
    assert first["tests"] == ["registration"]


def test_call_next_done_and_the_board(api, stations, nurse) -> None:  # type: ignore[no-untyped-def]
    appointment = _check_in(stations[0].site, nurse)
    registration = stations[0]

    called = api.post(
        f"/api/v1/clinic/stations/{registration.pk}/call-next/",
        {"room": 2},
        format="json",
    )
    board = api.get("/api/v1/clinic/board/")
    visit = called.json()["visit"]
    done = api.post(f"/api/v1/clinic/stations/{registration.pk}/visits/{visit}/done/")

    assert called.status_code == 200
    assert called.json()["queue_number"] == 1
    assert called.json()["appointment"] == appointment.pk
    assert board.json() == [
        {"queue_number": 1, "station": registration.name, "room": "2"}
    ]
    assert "王" not in board.content.decode()
    assert done.status_code == 200
    assert done.json()["status"] == "done"


def test_call_next_with_nobody_waiting_is_204(api, stations) -> None:  # type: ignore[no-untyped-def]
    response = api.post(f"/api/v1/clinic/stations/{stations[0].pk}/call-next/")

    assert response.status_code == 204


def test_a_step_for_a_woman_not_called_here_is_409(api, stations, nurse) -> None:  # type: ignore[no-untyped-def]
    _check_in(stations[0].site, nurse)
    visit = Ticket.objects.get().visit_id

    for step in ("done", "no-answer", "not-today", "start"):
        response = api.post(
            f"/api/v1/clinic/stations/{stations[1].pk}/visits/{visit}/{step}/"
        )
        assert response.status_code == 409
        assert response.json()["code"] == "not_called_here"


def test_a_room_the_station_lacks_is_400(api, stations) -> None:  # type: ignore[no-untyped-def]
    response = api.post(
        f"/api/v1/clinic/stations/{stations[0].pk}/call-next/",
        {"room": 9},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "room_invalid"


def test_another_sites_staff_get_403(stations) -> None:  # type: ignore[no-untyped-def]
    stranger = token_client(clinic_user(SiteFactory()))
    site = stations[0].site

    assert stranger.get(f"/api/v1/clinic/stations/?site={site.pk}").status_code == 403
    assert stranger.get(f"/api/v1/clinic/board/?site={site.pk}").status_code == 403
    call = stranger.post(f"/api/v1/clinic/stations/{stations[0].pk}/call-next/")
    assert call.status_code == 403


def test_union_staff_get_403(stations) -> None:  # type: ignore[no-untyped-def]
    union = token_client(clinic_user(role="union"))

    assert union.get("/api/v1/clinic/stations/").status_code == 403


def test_a_site_without_stations_checks_in_as_before(nurse) -> None:  # type: ignore[no-untyped-def]
    plain = SiteFactory()
    plain.staff.add(nurse)

    _check_in(plain, nurse)

    assert not Ticket.objects.exists()


def test_undoing_the_check_in_takes_her_number_back(api, stations, nurse) -> None:  # type: ignore[no-untyped-def]
    appointment = _check_in(stations[0].site, nurse)

    clinic.appointment_check_in_undo(by=nurse, appointment_id=appointment.pk)

    assert not Ticket.objects.exists()
