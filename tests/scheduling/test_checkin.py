"""Check-in at the desk through the API: by reference or QR token, its refusals,
the visit it opens, the audit trail, the undo, and two desks at once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from common.models import AuditEvent
from notifications.models import Notification, Status
from scheduling.desk.checkin import appointment_check_in
from scheduling.errors import AlreadyCheckedIn
from scheduling.models import Appointment, AppointmentStatus
from screening.models import Visit
from tests.notifications.factories import NotificationFactory
from tests.scheduling.desk_support import booked_today, clinic_user, token_client
from tests.scheduling.factories import SiteFactory

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


def check_in(api, **body):  # type: ignore[no-untyped-def]
    return api.post("/api/v1/clinic/checkins/", body, format="json")


def test_checking_in_by_reference_opens_her_visit(api, site) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)
    typed = appointment.reference.lower()[:4] + "-" + appointment.reference[4:]

    response = check_in(api, reference=typed)

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "checked_in"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    assert appointment.checked_in_at is not None
    visit = Visit.objects.get(appointment_id=appointment.pk)
    assert visit.site_id == site.pk
    assert visit.participant_id == appointment.participant_id
    assert visit.day == timezone.localdate()


def test_checking_in_by_the_qr_token_works_the_same(api, site) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)

    response = check_in(api, token=appointment.checkin_token)

    assert response.status_code == 200
    assert Visit.objects.filter(appointment_id=appointment.pk).exists()


def test_a_check_in_is_audited_with_who_what_and_from_where(api, site, nurse) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)

    check_in(api, token=appointment.checkin_token)

    event = AuditEvent.objects.get(action="appointment.checkin")
    assert event.actor == nurse
    assert event.object_type == "appointment"
    assert event.object_id == str(appointment.pk)
    assert event.ip_address == "127.0.0.1"
    assert event.details["via"] == "qr"
    assert event.details["forced"] is False


def test_checking_in_twice_is_409_with_the_time_of_the_first(api, site) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)
    check_in(api, reference=appointment.reference)

    response = check_in(api, reference=appointment.reference)

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "already_checked_in"
    appointment.refresh_from_db()
    local = timezone.localtime(appointment.checked_in_at)
    assert body["checked_in_at"] == f"{local:%H:%M}"
    assert f"{local:%H:%M}" in body["detail"]
    assert Visit.objects.filter(appointment_id=appointment.pk).count() == 1


def test_a_cancelled_booking_is_409_cancelled(api, site) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site, status=AppointmentStatus.CANCELLED)

    response = check_in(api, reference=appointment.reference)

    assert response.status_code == 409
    assert response.json()["code"] == "cancelled"


def test_another_sites_booking_is_403_and_says_nothing_about_her(api) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=SiteFactory())

    response = check_in(api, reference=appointment.reference)

    assert response.status_code == 403
    assert response.json()["code"] == "other_site"
    assert set(response.json()) == {"code", "detail"}
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_an_unknown_reference_is_404(api) -> None:  # type: ignore[no-untyped-def]
    response = check_in(api, reference="ZZZZZZZZ")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_booking_of_another_day_is_400_not_today(api, site) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site, days=2)

    response = check_in(api, reference=appointment.reference)

    assert response.status_code == 400
    assert response.json()["code"] == "not_today"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_forcing_another_days_booking_checks_her_in_and_says_so_in_the_audit(
    api, site
) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site, days=2)

    response = check_in(api, reference=appointment.reference, force=True)

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="appointment.checkin")
    assert event.purpose == "came on another day"
    assert event.details["forced"] is True
    assert Visit.objects.get(appointment_id=appointment.pk).day == timezone.localdate()


def test_check_in_without_reference_or_token_is_400(api) -> None:  # type: ignore[no-untyped-def]
    response = check_in(api)

    assert response.status_code == 400


def test_check_in_cancels_her_reminders_still_waiting(api, site) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site, hour=16)
    reminder = NotificationFactory(
        dedupe_key=f"appointment:{appointment.pk}:slot:{appointment.slot_id}:r",
        send_at=timezone.now() + timedelta(hours=1),
    )

    check_in(api, reference=appointment.reference)

    reminder.refresh_from_db()
    assert reminder.status == Status.CANCELLED


def test_undo_within_fifteen_minutes_puts_the_booking_back(api, site, nurse) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)
    check_in(api, reference=appointment.reference)

    response = api.post(f"/api/v1/clinic/checkins/{appointment.pk}/undo/")

    assert response.status_code == 200
    assert response.json()["status"] == "booked"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.checked_in_at is None
    assert Visit.objects.get(appointment_id=appointment.pk).undone_at is not None
    event = AuditEvent.objects.get(action="appointment.checkin_undo")
    assert event.actor == nurse
    assert event.ip_address == "127.0.0.1"


def test_checking_in_again_after_an_undo_reopens_the_same_visit(api, site) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)
    check_in(api, reference=appointment.reference)
    api.post(f"/api/v1/clinic/checkins/{appointment.pk}/undo/")

    response = check_in(api, reference=appointment.reference)

    assert response.status_code == 200
    visit = Visit.objects.get(appointment_id=appointment.pk)
    assert visit.undone_at is None


def test_undo_after_fifteen_minutes_is_409_undo_expired(api, site) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)
    check_in(api, reference=appointment.reference)
    Appointment.objects.filter(pk=appointment.pk).update(
        checked_in_at=timezone.now() - timedelta(minutes=16)
    )

    response = api.post(f"/api/v1/clinic/checkins/{appointment.pk}/undo/")

    assert response.status_code == 409
    assert response.json()["code"] == "undo_expired"


def test_undo_of_a_booking_not_checked_in_is_409(api, site) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)

    response = api.post(f"/api/v1/clinic/checkins/{appointment.pk}/undo/")

    assert response.status_code == 409
    assert response.json()["code"] == "not_checked_in"


def test_undo_of_another_sites_check_in_is_403(api) -> None:  # type: ignore[no-untyped-def]
    other_site = SiteFactory()
    appointment = booked_today(site=other_site)
    appointment_check_in(by=clinic_user(other_site), reference=appointment.reference)

    response = api.post(f"/api/v1/clinic/checkins/{appointment.pk}/undo/")

    assert response.status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN


@pytest.mark.django_db(transaction=True)
def test_two_desks_checking_her_in_at_once_let_exactly_one_through() -> None:
    site = SiteFactory()
    desks = [clinic_user(site), clinic_user(site)]
    appointment = booked_today(site=site)
    barrier = threading.Barrier(len(desks))
    outcomes: list[str] = []

    def desk(user) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            appointment_check_in(by=user, reference=appointment.reference)
            outcomes.append("ok")
        except AlreadyCheckedIn:
            outcomes.append("already_checked_in")
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(user,)) for user in desks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["already_checked_in", "ok"]
    assert Visit.objects.filter(appointment_id=appointment.pk).count() == 1
    assert AuditEvent.objects.filter(action="appointment.checkin").count() == 1
    assert Notification.objects.count() == 0


def test_a_booking_for_another_of_her_sites_at_this_desk_is_400_booked_elsewhere(
    site,
) -> None:  # type: ignore[no-untyped-def]
    other = SiteFactory(name="解放区妇幼保健院")
    api = token_client(clinic_user(site, other))
    appointment = booked_today(site=other)

    refused = check_in(api, reference=appointment.reference, site=site.pk)
    forced = check_in(
        api, reference=appointment.reference, site=site.pk, force_site=True
    )

    assert refused.status_code == 400
    assert refused.json()["code"] == "booked_elsewhere"
    assert refused.json()["booked_site"] == other.pk
    assert forced.status_code == 200, forced.json()
    assert Visit.objects.get(appointment_id=appointment.pk).site_id == site.pk


def test_a_cancelled_booking_for_another_site_says_cancelled_first(site) -> None:  # type: ignore[no-untyped-def]
    other = SiteFactory()
    api = token_client(clinic_user(site, other))
    appointment = booked_today(site=other, status=AppointmentStatus.CANCELLED)

    response = check_in(api, reference=appointment.reference, site=site.pk)

    assert response.status_code == 409
    assert response.json()["code"] == "cancelled"
