"""The clinic API beyond check-in: the day list, the search, results from the
desk and the lab import, through HTTP."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common.models import AuditEvent
from scheduling.desk.checkin import appointment_check_in
from scheduling.desk.results import appointment_results_record
from scheduling.models import AppointmentStatus
from screening.models import Result
from screening.privacy import participant_data
from tests.scheduling.desk_support import (
    booked_today,
    clinic_user,
    token_client,
)
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():  # type: ignore[no-untyped-def]
    return SiteFactory()


@pytest.fixture
def nurse(site):  # type: ignore[no-untyped-def]
    return clinic_user(site)


@pytest.fixture
def api(nurse):  # type: ignore[no-untyped-def]
    return token_client(nurse)


def her(**kwargs):  # type: ignore[no-untyped-def]
    return ParticipantFactory(
        full_name="张秀英",
        phone="13812345678",
        id_number="11010519491231002X",
        **kwargs,
    )


def test_the_day_list_masks_names_phones_and_id_numbers(api, site) -> None:  # type: ignore[no-untyped-def]
    booked_today(site=site, participant=her())

    response = api.get(f"/api/v1/clinic/appointments/?site={site.pk}")

    assert response.status_code == 200
    row = response.json()["appointments"][0]
    assert row["name"] == "张**"
    assert row["phone"] == "138****5678"
    assert row["id_number"] == "110105********002X"
    assert "13812345678" not in response.content.decode()
    assert "张秀英" not in response.content.decode()


def test_the_day_list_counts_each_state(api, site, nurse) -> None:  # type: ignore[no-untyped-def]
    first = booked_today(site=site, hour=8)
    booked_today(site=site, hour=9)
    booked_today(site=site, hour=10, status=AppointmentStatus.NO_SHOW)
    booked_today(site=site, hour=11, status=AppointmentStatus.CANCELLED)
    appointment_check_in(by=nurse, reference=first.reference)

    counts = api.get(f"/api/v1/clinic/appointments/?site={site.pk}").json()["counts"]

    assert counts == {
        "booked": 3,
        "checked_in": 1,
        "screened": 0,
        "no_show": 1,
        "cancelled": 1,
    }


def test_the_day_list_of_another_day_shows_that_day_only(api, site) -> None:  # type: ignore[no-untyped-def]
    booked_today(site=site)
    tomorrow = booked_today(site=site, days=1)
    day = tomorrow.slot.starts_at.date().isoformat()

    rows = api.get(f"/api/v1/clinic/appointments/?site={site.pk}&date={day}").json()

    assert [row["id"] for row in rows["appointments"]] == [tomorrow.pk]


def test_the_day_list_takes_a_fixed_number_of_queries(
    api, site, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for hour in range(8, 14):
        booked_today(site=site, hour=hour)

    # token, site, appointments with women and slots, the site's audit event,
    # the women shown within the hour, one insert of those not yet (+savepoints)
    with django_assert_num_queries(6):
        api.get(f"/api/v1/clinic/appointments/?site={site.pk}")


def test_the_day_list_read_is_audited(api, site, nurse) -> None:  # type: ignore[no-untyped-def]
    api.get(f"/api/v1/clinic/appointments/?site={site.pk}")

    event = AuditEvent.objects.get(action="appointment.day_list")
    assert event.actor == nurse
    assert event.object_id == str(site.pk)


def test_the_site_may_be_left_out_by_staff_of_one_site(api, site) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/clinic/appointments/")

    assert response.status_code == 200
    assert response.json()["site"] == site.pk


def test_staff_of_several_sites_must_say_which() -> None:
    api = token_client(clinic_user(SiteFactory(), SiteFactory()))

    response = api.get("/api/v1/clinic/appointments/")

    assert response.status_code == 400
    assert response.json()["code"] == "site_required"


def search(api, site, **params):  # type: ignore[no-untyped-def]
    query = {"site": site.pk, "purpose": "check_in", **params}
    return api.get("/api/v1/clinic/appointments/search/", query)


def test_search_finds_her_by_the_last_four_digits_and_her_surname(api, site) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site, participant=her())
    booked_today(site=site, participant=ParticipantFactory(full_name="王芳"))

    response = search(api, site, phone_last4="5678", name_initial="张")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [appointment.pk]
    assert response.json()[0]["phone"] == "138****5678"


def test_search_is_exact(api, site) -> None:  # type: ignore[no-untyped-def]
    booked_today(site=site, participant=her())

    assert search(api, site, phone_last4="5679", name_initial="张").json() == []
    assert search(api, site, phone_last4="5678", name_initial="王").json() == []


def test_search_looks_at_nearby_days_only(api, site) -> None:  # type: ignore[no-untyped-def]
    booked_today(site=site, days=5, participant=her())

    assert search(api, site, phone_last4="5678", name_initial="张").json() == []


def test_search_of_another_site_is_403(api) -> None:  # type: ignore[no-untyped-def]
    other = SiteFactory()
    booked_today(site=other, participant=her())

    response = search(api, other, phone_last4="5678", name_initial="张")

    assert response.status_code == 403
    assert "138" not in response.content.decode()


def test_every_search_is_audited_with_its_purpose(api, site, nurse) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site, participant=her())

    search(api, site, phone_last4="5678", name_initial="张", purpose="results")

    event = AuditEvent.objects.get(action="appointment.search")
    assert event.actor == nurse
    assert event.purpose == "results"
    assert event.details["matches"] == [appointment.pk]


def test_search_is_rate_limited_per_staff_member(api, site, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SEARCH_LIMIT_PER_MINUTE = 3
    for _search in range(3):
        search(api, site, phone_last4="0000", name_initial="张")

    response = search(api, site, phone_last4="0000", name_initial="张")

    assert response.status_code == 429
    assert response.json()["code"] == "search_rate_limited"


def test_search_needs_four_digits_and_a_purpose(api, site) -> None:  # type: ignore[no-untyped-def]
    response = api.get(
        "/api/v1/clinic/appointments/search/",
        {"site": site.pk, "phone_last4": "56", "name_initial": "张"},
    )

    assert response.status_code == 400
    assert set(response.json()) == {"phone_last4", "purpose"}


def record(api, appointment, tests):  # type: ignore[no-untyped-def]
    body = {"appointment": appointment.pk, "tests": tests, "notes": "宫颈轻度炎症"}
    return api.post("/api/v1/clinic/results/", body, format="json")


def test_results_of_a_checked_in_woman_are_accepted(api, site, nurse) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)
    appointment_check_in(by=nurse, reference=appointment.reference)

    response = record(
        api,
        appointment,
        [
            {"test": "hpv", "value": "HPV_16_18_POS"},
            {"test": "cbe", "value": "CBE_NORMAL"},
        ],
    )

    assert response.status_code == 202, response.json()
    assert response.json()["recorded"] == 2
    assert Result.objects.filter(visit__appointment_id=appointment.pk).count() == 2
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCREENED


def test_results_before_check_in_are_409_not_checked_in(api, site) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)

    response = record(api, appointment, [{"test": "hpv", "value": "HPV_NEG"}])

    assert response.status_code == 409
    assert response.json()["code"] == "not_checked_in"


def test_an_unknown_value_is_400(api, site, nurse) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)
    appointment_check_in(by=nurse, reference=appointment.reference)

    response = record(api, appointment, [{"test": "hpv", "value": "MAYBE"}])

    assert response.status_code == 400
    assert not Result.objects.exists()


def test_results_of_another_sites_woman_are_403(api) -> None:  # type: ignore[no-untyped-def]
    other = SiteFactory()
    appointment = booked_today(site=other)
    appointment_check_in(by=clinic_user(other), reference=appointment.reference)

    response = record(api, appointment, [{"test": "hpv", "value": "HPV_NEG"}])

    assert response.status_code == 403
    assert not Result.objects.exists()


def test_undo_after_results_are_recorded_is_409(api, site, nurse) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)
    appointment_check_in(by=nurse, reference=appointment.reference)
    record(api, appointment, [{"test": "hpv", "value": "HPV_NEG"}])

    response = api.post(f"/api/v1/clinic/checkins/{appointment.pk}/undo/")

    assert response.status_code == 409


def csv_file(content: bytes, name: str = "lab.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_a_lab_csv_is_accepted_and_its_progress_can_be_read(api, site, nurse) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)
    appointment_check_in(by=nurse, reference=appointment.reference)
    content = f"reference,test,value\n{appointment.reference},hpv,HPV_NEG\n".encode()

    created = api.post(
        "/api/v1/clinic/result-imports/",
        {"file": csv_file(content)},
        format="multipart",
    )
    progress = api.get(f"/api/v1/clinic/result-imports/{created.json()['id']}/")

    assert created.status_code == 202, created.json()
    assert progress.status_code == 200
    assert set(progress.json()) >= {"status", "processed", "total", "errors"}


def test_an_upload_that_is_not_a_csv_is_400_not_csv(api) -> None:  # type: ignore[no-untyped-def]
    png = csv_file(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", name="photo.png")

    response = api.post(
        "/api/v1/clinic/result-imports/", {"file": png}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "not_csv"


def test_someone_elses_import_is_404(api, site) -> None:  # type: ignore[no-untyped-def]
    colleague = token_client(clinic_user(site))
    content = b"reference,test,value\nABCDEFGH,hpv,HPV_NEG\n"
    created = colleague.post(
        "/api/v1/clinic/result-imports/",
        {"file": csv_file(content)},
        format="multipart",
    )

    response = api.get(f"/api/v1/clinic/result-imports/{created.json()['id']}/")

    assert response.status_code == 404


def test_each_woman_on_the_day_list_gets_her_own_audit_entry_once_an_hour(
    api, site, nurse
) -> None:  # type: ignore[no-untyped-def]
    first = booked_today(site=site, hour=9)
    second = booked_today(site=site, hour=10)

    api.get(f"/api/v1/clinic/appointments/?site={site.pk}")
    api.get(f"/api/v1/clinic/appointments/?site={site.pk}")

    events = AuditEvent.objects.filter(action="appointment.listed")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(
        [str(first.pk), str(second.pk)]
    )
    assert {event.actor for event in events} == {nurse}


def test_her_data_page_names_the_desk_that_listed_or_found_her(
    api, site, nurse
) -> None:  # type: ignore[no-untyped-def]
    woman = her()
    booked_today(site=site, participant=woman)

    api.get(f"/api/v1/clinic/appointments/?site={site.pk}")
    search(api, site, phone_last4="5678", name_initial="张", purpose="results")

    seen = participant_data(participant=woman)["staff_access"]
    actions = {(entry["username"], entry["action"]) for entry in seen}
    assert (nurse.username, "appointment.listed") in actions
    assert (nurse.username, "appointment.search_match") in actions


@pytest.mark.parametrize("far", ["9999-12-31", "0001-01-01"])
def test_a_far_date_on_the_day_list_is_400_with_a_code(api, site, far) -> None:  # type: ignore[no-untyped-def]
    response = api.get(f"/api/v1/clinic/appointments/?site={site.pk}&date={far}")

    assert response.status_code == 400
    assert response.json()["code"] == "date_out_of_range"


def test_a_far_date_on_the_search_is_400_with_a_code(api, site) -> None:  # type: ignore[no-untyped-def]
    response = search(
        api, site, date="9999-12-31", phone_last4="5678", name_initial="张"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "date_out_of_range"


def test_results_are_undone_through_the_api_inside_the_window(api, site, nurse) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)
    appointment_check_in(by=nurse, reference=appointment.reference)
    appointment_results_record(
        by=nurse,
        appointment_id=appointment.pk,
        tests=[{"test": "hpv", "value": "HPV_NEG"}],
        notes="",
    )

    undone = api.post(f"/api/v1/clinic/appointments/{appointment.pk}/results/undo/")
    again = api.post(f"/api/v1/clinic/appointments/{appointment.pk}/results/undo/")

    assert undone.status_code == 200
    assert undone.json() == {"appointment": appointment.pk, "left": 0}
    assert again.status_code == 409
    assert again.json()["code"] == "results_nothing_to_undo"


def test_another_sites_results_cannot_be_undone_through_the_api(api) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=SiteFactory())

    response = api.post(f"/api/v1/clinic/appointments/{appointment.pk}/results/undo/")

    assert response.status_code == 403
