"""The voice adapter through Alibaba's SDK: what each kind of trouble on the way
to the provider becomes (retry later or give up), against the local stand-in."""

import socket
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from notifications.channels import get_channel_backend
from notifications.voice.aliyun import AliyunVoiceBackend
from tests.reach.test_voice import _message


@pytest.mark.django_db
def test_a_business_refusal_answered_with_http_200_is_final(
    voice, templates_for_every_channel
):
    voice.state.fail_next = ["isv.MOBILE_NUMBER_ILLEGAL"]
    result = AliyunVoiceBackend().send(_message())
    assert (result.accepted, result.transient) == (False, False)
    assert result.error == "aliyun_voice:isv.MOBILE_NUMBER_ILLEGAL"


@pytest.mark.django_db
def test_the_platform_busy_answered_with_http_400_is_retried(
    voice, templates_for_every_channel
):
    voice.state.fail_next = ["ServiceUnavailable"]
    result = AliyunVoiceBackend().send(_message())
    assert (result.accepted, result.transient) == (False, True)
    assert result.error == "aliyun_voice:ServiceUnavailable"


@pytest.mark.django_db
def test_a_provider_slower_than_the_timeout_is_retried_later(
    voice, settings, templates_for_every_channel
):
    settings.SMS_SEND_TIMEOUT_SECONDS = 1
    voice.state.delay = 1.5
    result = AliyunVoiceBackend().send(_message())
    assert (result.accepted, result.transient) == (False, True)
    assert result.error == "aliyun_voice:timeout"


@pytest.mark.django_db
def test_a_refused_connection_is_retried_later(settings, templates_for_every_channel):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.VOICE_ENDPOINT = f"http://127.0.0.1:{port}"
    settings.ALIYUN_ACCESS_KEY_ID = "id"
    settings.ALIYUN_ACCESS_KEY_SECRET = "secret"
    result = AliyunVoiceBackend().send(_message())
    assert (result.accepted, result.transient) == (False, True)
    assert result.error == "aliyun_voice:connection"


def test_an_endpoint_without_a_scheme_stops_start_up(settings):
    settings.VOICE_ENDPOINT = "dyvmsapi.aliyuncs.com"
    settings.ALIYUN_ACCESS_KEY_ID = "id"
    settings.ALIYUN_ACCESS_KEY_SECRET = "secret"
    with pytest.raises(ImproperlyConfigured, match="VOICE_ENDPOINT"):
        AliyunVoiceBackend()


def test_choosing_aliyun_voice_without_its_sdk_names_the_extra(settings, monkeypatch):
    settings.VOICE_BACKEND = "aliyun"
    monkeypatch.delitem(sys.modules, "notifications.voice.aliyun")
    # None in sys.modules makes the import fail as a missing package does.
    monkeypatch.setitem(sys.modules, "alibabacloud_dyvmsapi20170525", None)
    with pytest.raises(LookupError, match=r"ankang\[aliyun\]"):
        get_channel_backend("voice")
