"""The "result ready" message waits RESULT_REVIEW_MINUTES; a correction in that
time replaces it, so she gets one message, not two."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from notifications.models import Notification, Status
from screening.services import summary_compute
from tests.screening.result_factories import VisitFactory, record

pytestmark = pytest.mark.django_db

DAY = date(2030, 3, 1)


def result_ready(visit):  # type: ignore[no-untyped-def]
    return Notification.objects.filter(kind="result_ready").order_by("id")


def test_the_result_ready_message_waits_for_the_review_window(settings) -> None:  # type: ignore[no-untyped-def]
    settings.RESULT_REVIEW_MINUTES = 10
    visit = VisitFactory(day=DAY)
    record(visit, hpv="HPV_NEG")
    before = timezone.now()

    summary_compute(visit_id=visit.pk)

    message = result_ready(visit).get()
    assert message.status == Status.PENDING
    assert message.send_at >= before + timedelta(minutes=10)


def test_a_correction_inside_the_window_replaces_the_waiting_message(settings) -> None:  # type: ignore[no-untyped-def]
    settings.RESULT_REVIEW_MINUTES = 10
    visit = VisitFactory(day=DAY)
    record(visit, hpv="HPV_NEG")
    summary_compute(visit_id=visit.pk)
    record(visit, hpv="HPV_16_18_POS")

    summary_compute(visit_id=visit.pk)

    first, second = result_ready(visit)
    assert first.status == Status.CANCELLED
    assert second.status == Status.PENDING
    assert second.dedupe_key == f"visit:{visit.pk}:result-ready:2"
    assert result_ready(visit).filter(status=Status.PENDING).count() == 1


def test_a_correction_after_the_message_went_sends_a_new_one(settings) -> None:  # type: ignore[no-untyped-def]
    visit = VisitFactory(day=DAY)
    record(visit, hpv="HPV_NEG")
    summary_compute(visit_id=visit.pk)
    result_ready(visit).update(status=Status.SENT)
    record(visit, hpv="HPV_16_18_POS")

    summary_compute(visit_id=visit.pk)

    assert list(result_ready(visit).values_list("status", flat=True)) == [
        Status.SENT,
        Status.PENDING,
    ]


SHANGHAI = ZoneInfo("Asia/Shanghai")


# The clock is set by hand: at night quiet hours move the message to the
# morning, which is the next test's case, not this one's.
@time_machine.travel(datetime(2030, 3, 2, 10, tzinfo=SHANGHAI), tick=False)
def test_a_zero_minute_window_sends_at_once_in_the_day(settings) -> None:  # type: ignore[no-untyped-def]
    settings.RESULT_REVIEW_MINUTES = 0
    visit = VisitFactory(day=DAY)
    record(visit, hpv="HPV_NEG")

    summary_compute(visit_id=visit.pk)

    assert result_ready(visit).get().send_at <= timezone.now()


@time_machine.travel(datetime(2030, 3, 2, 22, tzinfo=SHANGHAI), tick=False)
def test_a_zero_minute_window_at_night_waits_for_quiet_hours_to_end(settings) -> None:  # type: ignore[no-untyped-def]
    settings.RESULT_REVIEW_MINUTES = 0
    visit = VisitFactory(day=DAY)
    record(visit, hpv="HPV_NEG")

    summary_compute(visit_id=visit.pk)

    send_at = result_ready(visit).get().send_at.astimezone(SHANGHAI)
    assert send_at > timezone.now()
    assert send_at.date() == date(2030, 3, 3)
    assert 7 <= send_at.hour <= 9
