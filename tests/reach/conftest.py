from collections.abc import Iterator

import pytest
from django.core.cache import cache

from notifications.models import MessageTemplate
from notifications.voice import local as voice_locmem
from notifications.wechat import backend as wechat_locmem
from tests.pages.conftest import campaign, district, slot  # noqa: F401 - shared fixtures
from tests.stand_ins.aliyun_voice import VoiceStandIn
from tests.stand_ins.sms_refusing import RefusingSmsGateway
from tests.stand_ins.wechat import WeChatStandIn


@pytest.fixture
def wechat(settings) -> Iterator[WeChatStandIn]:
    """WeChat's API on a local port, with Ankang pointed at it."""
    with WeChatStandIn() as server:
        server.configure(settings)
        yield server
    cache.clear()


@pytest.fixture
def voice(settings) -> Iterator[VoiceStandIn]:
    """Alibaba Cloud's voice API on a local port, with Ankang pointed at it."""
    with VoiceStandIn() as server:
        server.configure(settings)
        yield server


@pytest.fixture(autouse=True)
def _empty_channel_outboxes() -> Iterator[None]:
    wechat_locmem.outbox.clear()
    voice_locmem.calls.clear()
    yield
    wechat_locmem.outbox.clear()
    voice_locmem.calls.clear()


@pytest.fixture
def templates_for_every_channel(db) -> None:
    """The booking confirmation with a WeChat template and a TTS code, as an
    admin would set them up after the account's console approved them."""
    MessageTemplate.objects.filter(kind="booking_confirmed").update(
        wechat_template_id="TPL-BOOKED",
        wechat_fields={
            "thing1": "site",
            "time2": "date",
            "character_string3": "reference",
        },
        voice_tts_code="TTS_100001",
        aliyun_template_code="SMS_100001",
    )


@pytest.fixture
def refusing_sms(settings) -> Iterator[RefusingSmsGateway]:
    with RefusingSmsGateway() as gateway:
        gateway.configure(settings)
        yield gateway
