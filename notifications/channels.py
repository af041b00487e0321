"""The backend of each channel: SMS by SMS_BACKEND, WeChat by WECHAT_BACKEND,
voice by VOICE_BACKEND (empty: the channel is off and no chain includes it)."""

import importlib

from django.conf import settings

from notifications import backends
from notifications.backends.base import OutgoingMessage, SendResult, SmsBackend
from notifications.models import Channel

_CHANNEL_BACKENDS = {
    Channel.WECHAT: {
        "wechat": "notifications.wechat.backend.WeChatBackend",
        "console": "notifications.wechat.backend.WeChatConsoleBackend",
        "locmem": "notifications.wechat.backend.WeChatLocmemBackend",
    },
    Channel.VOICE: {
        "aliyun": "notifications.voice.aliyun.AliyunVoiceBackend",
        "console": "notifications.voice.local.VoiceConsoleBackend",
        "locmem": "notifications.voice.local.VoiceLocmemBackend",
    },
}
_SETTING = {Channel.WECHAT: "WECHAT_BACKEND", Channel.VOICE: "VOICE_BACKEND"}


class ChannelOff:
    """A row written while its channel was on, sent after it was turned off:
    it fails for good, and the chain moves on."""

    def __init__(self, channel: str) -> None:
        self.name = f"{channel}_off"

    def send(self, message: OutgoingMessage) -> SendResult:
        return SendResult(accepted=False, error=f"{self.name}: channel switched off")


def get_channel_backend(channel: str) -> SmsBackend:
    if channel == Channel.SMS:
        return backends.get_backend()
    choice = getattr(settings, _SETTING.get(channel, ""), "")
    path = _CHANNEL_BACKENDS.get(channel, {}).get(choice)
    if path is None:
        return ChannelOff(channel)
    module, _dot, name = path.rpartition(".")
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        # Only the Alibaba voice adapter needs an SDK (the `aliyun` extra).
        if not (exc.name or "").startswith(("alibabacloud_", "darabonba", "Tea")):
            raise
        raise LookupError(
            f"{_SETTING[channel]} {choice!r} needs the Alibaba Cloud voice SDK "
            '(alibabacloud-dyvmsapi20170525): pip install "ankang[aliyun]".'
        ) from None
    return getattr(loaded, name)()
