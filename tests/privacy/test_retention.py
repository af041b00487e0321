"""The retention schedule, run with the clock moved forward."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from common.audit import audit_record
from common.models import AuditEvent
from notifications.models import Notification, Status
from screening.models import (
    FollowUpStatus,
    OtpChallenge,
    Participant,
    ParticipantToken,
)
from screening.otp import otp_request
from tests.notifications.factories import NotificationFactory
from tests.privacy.support import visit_with_result
from tests.scheduling.factories import AppointmentFactory
from tests.screening.factories import CampaignFactory, bearer_token

pytestmark = pytest.mark.django_db

RETENTION_DAYS = 180


@pytest.fixture(autouse=True)
def _retention(settings) -> None:  # type: ignore[no-untyped-def]
    settings.RETENTION_DAYS_AFTER_CAMPAIGN = RETENTION_DAYS
    settings.MESSAGE_LOG_RETENTION_DAYS = 365


def _booked_in(campaign) -> Participant:  # type: ignore[no-untyped-def]
    return AppointmentFactory(slot__campaign=campaign).participant


def _after_campaign(campaign, days: int):  # type: ignore[no-untyped-def]
    return time_machine.travel(
        timezone.now()
        + (campaign.ends_on - timezone.localdate())
        + timedelta(days=days),
        tick=False,
    )


def test_nobody_is_anonymised_before_her_campaign_has_been_over_long_enough() -> None:
    campaign = CampaignFactory()
    participant = _booked_in(campaign)

    with _after_campaign(campaign, RETENTION_DAYS - 1):
        call_command("purge_expired")

    participant.refresh_from_db()
    assert participant.anonymised_at is None


def test_participants_are_anonymised_once_their_campaign_is_over_long_enough() -> None:
    campaign = CampaignFactory()
    participant = _booked_in(campaign)
    audit_record(actor=None, action="x", obj_type="participant", obj_id=participant.pk)
    year = participant.birth_date.year

    with _after_campaign(campaign, RETENTION_DAYS + 1):
        call_command("purge_expired")

    participant.refresh_from_db()
    assert participant.anonymised_at is not None
    assert participant.full_name == "已删除"
    assert participant.birth_date.year == year
    # Aggregates and the audit trail survive.
    assert participant.appointments.count() == 1
    assert AuditEvent.objects.filter(action="x").count() == 1


def test_a_woman_with_an_open_follow_up_case_is_held() -> None:
    campaign = CampaignFactory()
    participant = _booked_in(campaign)
    visit_with_result(participant, campaign, follow_up_status=FollowUpStatus.NOTIFIED)

    with _after_campaign(campaign, RETENTION_DAYS + 30):
        call_command("purge_expired")

    participant.refresh_from_db()
    assert participant.anonymised_at is None


def test_a_later_campaign_keeps_her_data() -> None:
    old, later = CampaignFactory(), CampaignFactory()
    later.ends_on = later.ends_on + timedelta(days=365)
    later.save()
    participant = _booked_in(old)
    AppointmentFactory(participant=participant, slot__campaign=later)

    with _after_campaign(old, RETENTION_DAYS + 1):
        call_command("purge_expired")

    participant.refresh_from_db()
    assert participant.anonymised_at is None


def test_old_codes_expired_tokens_and_old_message_phones_go() -> None:
    fresh_phone, old_phone = "13911112222", "13933334444"
    otp_request(phone_raw=old_phone, ip="10.0.0.1")
    bearer_token(phone=old_phone)
    message = NotificationFactory(status=Status.SENT)

    with time_machine.travel(timezone.now() + timedelta(days=366), tick=False):
        otp_request(phone_raw=fresh_phone, ip="10.0.0.2")
        call_command("purge_expired")

    assert OtpChallenge.objects.count() == 1
    assert ParticipantToken.objects.count() == 0
    message.refresh_from_db()
    assert (message.recipient_phone, message.recipient_hash) == ("", "")
    assert (message.kind, message.status) == ("otp", Status.SENT)


def test_a_dry_run_counts_and_changes_nothing(capsys) -> None:  # type: ignore[no-untyped-def]
    campaign = CampaignFactory()
    participant = _booked_in(campaign)
    bearer_token(phone="13955556666")
    NotificationFactory(status=Status.SENT)

    with _after_campaign(campaign, RETENTION_DAYS + 400):
        call_command("purge_expired", "--dry-run")

    out = capsys.readouterr().out
    participant.refresh_from_db()
    assert participant.anonymised_at is None
    assert ParticipantToken.objects.count() == 1
    assert Notification.objects.exclude(recipient_hash="").count() == 1
    assert "participants anonymised: 1 (would be processed)" in out
    assert "tokens deleted: 1" in out
    assert "messages masked: 1" in out


def test_the_retention_job_is_scheduled_nightly() -> None:
    from config.celery_app import app

    entry = app.conf.beat_schedule["purge-expired"]

    assert entry["task"] == "screening.purge_expired"
    assert entry["schedule"].hour == {3}
    assert entry["schedule"].minute == {30}
