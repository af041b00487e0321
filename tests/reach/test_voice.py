"""Voice calls: signed requests to a local stand-in, and the hours they may ring."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from notifications.backends.base import OutgoingMessage
from notifications.timing import voice_allowed, voice_call_at
from notifications.voice.aliyun import AliyunVoiceBackend

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUIET = {"quiet_start": time(21), "quiet_end": time(8)}


def _at(hour: int, minute: int = 0, day: int = 3) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("wanted", "rings"),
    [
        (_at(10), _at(10)),
        (_at(12), _at(14)),
        (_at(13, 59), _at(14)),
        (_at(14), _at(14)),
        (_at(20, 59), _at(20, 59)),
        (_at(21), _at(9, day=4)),
        (_at(7), _at(9)),
        (_at(8, 30), _at(9)),
        (_at(9), _at(9)),
    ],
)
def test_a_call_rings_only_outside_the_blackouts_and_quiet_hours(wanted, rings):
    assert voice_call_at(wanted=wanted, not_after=None, zone=SHANGHAI, **QUIET) == rings
    assert voice_allowed(rings, zone=SHANGHAI, **QUIET)


def test_a_call_that_could_only_ring_after_the_visit_is_dropped():
    visit = _at(9, 30, day=4)
    assert (
        voice_call_at(wanted=_at(21), not_after=visit, zone=SHANGHAI, **QUIET) is None
    )


def _message(**overrides) -> OutgoingMessage:
    fields = {
        "phone": "13812345678",
        "kind": "booking_confirmed",
        "template_key": "booking_confirmed",
        "params": {
            "date": "12月4日",
            "time": "09:00",
            "site": "市妇幼",
            "reference": "A1",
        },
        "text": "…",
        "correlation_id": "appointment:1:confirmed|voice",
    }
    return OutgoingMessage(**{**fields, **overrides})


@pytest.mark.django_db
def test_a_call_is_signed_and_names_her_number_and_the_tts_template(
    voice, templates_for_every_channel
):
    result = AliyunVoiceBackend().send(_message())
    assert result.accepted
    assert result.provider_message_id.endswith("^100000")
    [call] = voice.state.calls
    assert call["Action"] == "SingleCallByTts"
    assert call["TtsCode"] == "TTS_100001"
    assert call["OutId"] == "appointment:1:confirmed|voice"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "transient"),
    [
        ("isv.BUSINESS_LIMIT_CONTROL", True),
        ("Throttling", True),
        ("isv.MOBILE_NUMBER_ILLEGAL", False),
    ],
)
def test_the_providers_codes_are_sorted_into_retry_or_give_up(
    voice, templates_for_every_channel, code, transient
):
    voice.state.fail_next = [code]
    result = AliyunVoiceBackend().send(_message())
    assert not result.accepted
    assert result.transient is transient
    assert code in result.error


@pytest.mark.django_db
def test_a_kind_without_a_tts_template_is_not_called(voice):
    result = AliyunVoiceBackend().send(_message(kind="result_ready"))
    assert not result.accepted
    assert not result.transient
    assert voice.state.calls == []


@pytest.mark.django_db
def test_a_wrong_secret_is_refused_by_the_provider(
    voice, settings, templates_for_every_channel
):
    settings.ALIYUN_ACCESS_KEY_SECRET = "wrong"
    result = AliyunVoiceBackend().send(_message())
    assert not result.accepted
    assert "SignatureDoesNotMatch" in result.error


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "status"), [("200000", "delivered"), ("200002", "failed")]
)
def test_a_call_report_marks_the_call_heard_or_not(client, settings, code, status):
    import json

    from tests.notifications.factories import NotificationFactory

    settings.SMS_RECEIPT_TOKEN = "receipt-token"
    row = NotificationFactory(
        kind="booking_confirmed",
        channel="voice",
        status="sent",
        provider="aliyun_voice",
        provider_message_id="1000^100000",
    )
    body = [{"call_id": "1000^100000", "out_id": row.dedupe_key, "status_code": code}]
    answer = client.post(
        "/sms/receipts/receipt-token/aliyun_voice/",
        json.dumps(body),
        content_type="application/json",
    )
    row.refresh_from_db()
    assert answer.status_code == 200
    assert row.status == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "answer"),
    [("200000", "delivered"), ("200002", "failed"), ("", "unknown")],
)
def test_the_status_query_reads_the_call_detail(voice, state, answer):
    if state:
        voice.state.call_states["1000^100000"] = state
    backend = AliyunVoiceBackend()
    assert backend.query_status("k", "1000^100000") == answer


@pytest.mark.django_db
def test_a_call_whose_id_we_never_learnt_is_unknown_not_rung_again(voice):
    assert AliyunVoiceBackend().query_status("k", "") == "unknown"
