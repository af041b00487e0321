"""The no-show sweep: booked appointments long past their slot become no-shows,
each with one `missed` message, and a second run changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery_app import app as celery_app
from notifications.models import Notification
from scheduling.desk.no_show import appointments_mark_no_show
from scheduling.models import AppointmentStatus
from scheduling.tasks import appointments_mark_no_show_task
from tests.scheduling.factories import AppointmentFactory, SlotFactory

pytestmark = pytest.mark.django_db


def booked_ending(minutes_ago: int, **kwargs):  # type: ignore[no-untyped-def]
    ends_at = timezone.now() - timedelta(minutes=minutes_ago)
    slot = SlotFactory(starts_at=ends_at - timedelta(hours=1), ends_at=ends_at)
    return AppointmentFactory(slot=slot, **kwargs)


def test_a_booking_an_hour_past_its_slot_becomes_a_no_show_with_a_message() -> None:
    appointment = booked_ending(61)

    marked = appointments_mark_no_show()

    assert marked == 1
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW
    message = Notification.objects.get()
    assert message.kind == "missed"
    assert message.dedupe_key == f"appointment:{appointment.pk}:missed"
    local = timezone.localtime(appointment.slot.starts_at)
    # The link's address is in the template's text; gateways refuse a URL here.
    assert message.context == {
        "date": f"{local.month}月{local.day}日",
        "campaign": str(appointment.campaign_id),
    }


def test_a_booking_just_past_its_slot_is_left_for_now() -> None:
    appointment = booked_ending(30)

    assert appointments_mark_no_show() == 0

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_the_delay_is_a_setting(settings) -> None:  # type: ignore[no-untyped-def]
    settings.NO_SHOW_AFTER_MINUTES = 20
    booked_ending(30)

    assert appointments_mark_no_show() == 1


@pytest.mark.parametrize(
    "status",
    [AppointmentStatus.CHECKED_IN, AppointmentStatus.CANCELLED],
)
def test_checked_in_and_cancelled_appointments_are_left_alone(status: str) -> None:
    appointment = booked_ending(120, status=status)

    assert appointments_mark_no_show() == 0

    appointment.refresh_from_db()
    assert appointment.status == status


def test_running_twice_marks_and_messages_once() -> None:
    booked_ending(90)
    appointments_mark_no_show()

    assert appointments_mark_no_show() == 0
    assert Notification.objects.count() == 1


def test_the_sweep_releases_no_place() -> None:
    appointment = booked_ending(90)
    appointment.slot.booked = 1
    appointment.slot.save()

    appointments_mark_no_show()

    appointment.slot.refresh_from_db()
    assert appointment.slot.booked == 1


def test_the_task_runs_the_sweep() -> None:
    booked_ending(90)

    assert appointments_mark_no_show_task() == 1


def test_beat_runs_the_sweep_every_fifteen_minutes() -> None:
    entry = next(
        entry
        for entry in celery_app.conf.beat_schedule.values()
        if entry["task"] == "scheduling.appointments_mark_no_show"
    )

    assert entry["schedule"].minute == {0, 15, 30, 45}
