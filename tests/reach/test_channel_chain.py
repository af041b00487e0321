"""Her chain of channels: WeChat first, then SMS, then a call, each once."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from notifications.models import Channel, Notification, Status
from notifications.services import notification_send
from notifications.services.chain import notification_hand_on, notifications_hand_on_due
from reach.services import channel_order_set, wechat_bind
from tests.pages.flow import registered_woman, sign_in

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
OPENID = "o-her-openid-0001"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _book(client: Client, slot) -> Notification:
    sign_in(client, PHONE)
    booked = client.post(f"/book/{slot.campaign_id}/", {"slot": slot.pk})
    assert booked.status_code == 302, booked.content.decode()
    return Notification.objects.get(kind="booking_confirmed")


@pytest.fixture
def her(client, wechat, templates_for_every_channel):
    participant = registered_woman(PHONE)
    wechat_bind(participant=participant, openid=OPENID)
    return participant


def test_her_confirmation_arrives_as_a_subscribe_message_and_nothing_else(
    client, her, slot, wechat, sms_outbox
):
    row = _book(client, slot)
    assert (row.channel, row.fallback) == (Channel.WECHAT, [Channel.SMS])

    notification_send(notification_id=row.pk)
    notifications_hand_on_due()

    row.refresh_from_db()
    assert row.status == Status.SENT
    assert row.provider == "wechat"
    [sent] = wechat.state.sent
    assert sent["touser"] == OPENID
    assert sent["template_id"] == "TPL-BOOKED"
    assert sent["data"]["thing1"]["value"] == slot.site.name
    assert sms_outbox == []
    assert Notification.objects.filter(kind="booking_confirmed").count() == 1


def test_wechat_refusing_for_good_brings_it_by_sms_once(
    client, her, slot, wechat, sms_outbox
):
    wechat.state.refusing.add(OPENID)
    row = _book(client, slot)

    notification_send(notification_id=row.pk)
    [by_sms] = Notification.objects.filter(dedupe_key=row.dedupe_key + "|sms")
    notification_send(notification_id=by_sms.pk)
    # A sweep and a second hand-on after the fact write nothing more.
    notifications_hand_on_due()
    assert notification_hand_on(notification_id=row.pk) is None

    row.refresh_from_db()
    by_sms.refresh_from_db()
    assert row.status == Status.FAILED
    assert "43101" in row.last_error
    assert by_sms.channel == Channel.SMS
    assert by_sms.status == Status.SENT
    assert [m.kind for m in sms_outbox] == ["booking_confirmed"]
    assert Notification.objects.filter(kind="booking_confirmed").count() == 2


def test_sms_failing_too_brings_it_by_one_call_outside_the_blackout(
    client, her, slot, wechat, voice, refusing_sms, settings
):
    settings.SMS_BACKEND = "locmem"  # she signs in by SMS first
    wechat.state.refusing.add(OPENID)
    row = _book(client, slot)
    refusing_sms.configure(settings)
    # The clock moves on to tomorrow's midday; the visit, a few days on, is
    # still ahead when a call moved to 14:00 rings.
    today = datetime.now(SHANGHAI).date() + timedelta(days=1)
    noon = datetime.combine(today, time(12, 30), tzinfo=SHANGHAI)
    Notification.objects.filter(pk=row.pk).update(
        not_after=datetime.combine(today + timedelta(days=3), time(9), tzinfo=SHANGHAI)
    )

    with time_machine.travel(noon, tick=False):
        notification_send(notification_id=row.pk)
        by_sms = Notification.objects.get(dedupe_key=row.dedupe_key + "|sms")
        notification_send(notification_id=by_sms.pk)
        by_voice = Notification.objects.get(dedupe_key=row.dedupe_key + "|voice")
        # 12:30 is inside the provider's midday blackout: it waits until 14:00.
        assert by_voice.send_at == datetime.combine(today, time(14), tzinfo=SHANGHAI)
        notification_send(notification_id=by_voice.pk)
        assert voice.state.calls == []

    with time_machine.travel(by_voice.send_at + timedelta(minutes=1), tick=False):
        notification_send(notification_id=by_voice.pk)
        notifications_hand_on_due()

    by_voice.refresh_from_db()
    assert by_voice.status == Status.SENT
    [call] = voice.state.calls
    assert call["CalledNumber"] == PHONE
    assert call["TtsCode"] == "TTS_100001"
    assert refusing_sms.received == 1
    assert Notification.objects.filter(kind="booking_confirmed").count() == 3


def test_a_sent_message_without_a_receipt_in_time_goes_down_the_chain(
    client, her, slot, wechat, settings
):
    row = _book(client, slot)
    notification_send(notification_id=row.pk)

    notifications_hand_on_due()
    assert not Notification.objects.filter(dedupe_key=row.dedupe_key + "|sms").exists()
    later = datetime.now(SHANGHAI) + timedelta(
        minutes=settings.CHAIN_RECEIPT_WAIT_MINUTES + 1
    )
    with time_machine.travel(later, tick=False):
        assert notifications_hand_on_due() == 1
        assert notifications_hand_on_due() == 0

    assert Notification.objects.filter(dedupe_key=row.dedupe_key + "|sms").count() == 1


def test_without_wechat_bound_the_chain_starts_at_sms(client, slot, wechat):
    registered_woman(PHONE)
    row = _book(client, slot)
    assert row.channel == Channel.SMS
    assert row.recipient_openid is None


def test_her_own_order_is_followed(client, her, slot, wechat, voice):
    channel_order_set(
        participant=her, order=[Channel.SMS, Channel.VOICE, Channel.WECHAT]
    )
    row = _book(client, slot)
    assert (row.channel, row.fallback) == (Channel.SMS, [Channel.VOICE, Channel.WECHAT])


def test_sign_in_codes_go_by_sms_alone(client, her, wechat, voice):
    sign_in(client, PHONE)
    row = Notification.objects.get(kind="otp")
    assert (row.channel, row.fallback) == (Channel.SMS, [])


def test_a_rate_limited_subscribe_message_is_retried_later_on_wechat_not_moved_on(
    client, her, slot, wechat
):
    wechat.state.fail_next = [45009]
    row = _book(client, slot)

    notification_send(notification_id=row.pk)
    row.refresh_from_db()
    assert row.status == Status.PENDING
    assert "45009" in row.last_error
    assert not Notification.objects.filter(dedupe_key=row.dedupe_key + "|sms").exists()

    with time_machine.travel(row.send_at + timedelta(seconds=1), tick=False):
        notification_send(notification_id=row.pk)
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert len(wechat.state.sent) == 1


def test_a_cancelled_booking_stops_every_step_still_waiting(client, her, slot, wechat):
    from notifications.services import notifications_cancel_pending

    wechat.state.refusing.add(OPENID)
    row = _book(client, slot)
    notification_send(notification_id=row.pk)
    prefix = row.dedupe_key.split("slot:")[0]

    notifications_cancel_pending(dedupe_key_prefix=prefix)

    step = Notification.objects.get(dedupe_key=row.dedupe_key + "|sms")
    assert step.status == Status.CANCELLED


def test_with_only_sms_on_her_channels_are_not_looked_up(
    settings, django_assert_num_queries
):
    from notifications.recipients import channels_for

    settings.WECHAT_BACKEND = ""
    settings.VOICE_BACKEND = ""
    with django_assert_num_queries(0):
        chain = channels_for(kind="booking_confirmed", recipient_ref="participant:1")
    assert chain == (["sms"], "")
