"""WeChat's pushes about subscribe messages, applied as delivery receipts."""

import hashlib

import pytest

from notifications.models import Status
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

TOKEN = "event-token"


def _signed(timestamp: str = "1700000000", nonce: str = "n1") -> dict[str, str]:
    signature = hashlib.sha1(  # noqa: S324 - WeChat's scheme
        "".join(sorted([TOKEN, timestamp, nonce])).encode()
    ).hexdigest()
    return {"timestamp": timestamp, "nonce": nonce, "signature": signature}


def _push(msgid: str, status: str) -> bytes:
    return (
        "<xml><ToUserName><![CDATA[gh_1]]></ToUserName>"
        "<FromUserName><![CDATA[o-1]]></FromUserName><CreateTime>1700000000</CreateTime>"
        "<MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[subscribe_msg_sent_event]]></Event>"
        "<SubscribeMsgSentEvent><List><TemplateId><![CDATA[T]]></TemplateId>"
        f"<MsgID>{msgid}</MsgID><ErrorCode>0</ErrorCode>"
        f"<ErrorStatus><![CDATA[{status}]]></ErrorStatus></List></SubscribeMsgSentEvent></xml>"
    ).encode()


@pytest.fixture(autouse=True)
def _token(settings):
    settings.WECHAT_EVENT_TOKEN = TOKEN


def _row(msgid: str):
    return NotificationFactory(
        kind="booking_confirmed",
        channel="wechat",
        status=Status.SENT,
        provider="wechat",
        provider_message_id=msgid,
    )


def test_the_url_check_echoes_back_when_signed(client):
    answer = client.get("/wechat/events/", {**_signed(), "echostr": "hello"})
    assert answer.status_code == 200
    assert answer.content == b"hello"


def test_a_delivered_push_marks_the_row_delivered(client):
    row = _row("111")
    answer = client.post(
        "/wechat/events/?" + "&".join(f"{k}={v}" for k, v in _signed().items()),
        _push("111", "success"),
        content_type="text/xml",
    )
    row.refresh_from_db()
    assert answer.content == b"success"
    assert row.status == Status.DELIVERED


def test_a_refused_push_marks_the_row_failed_so_the_chain_moves_on(client):
    row = _row("222")
    client.post(
        "/wechat/events/?" + "&".join(f"{k}={v}" for k, v in _signed().items()),
        _push("222", "failed:user block"),
        content_type="text/xml",
    )
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert "user block" in row.last_error


def test_an_unsigned_push_is_refused(client):
    row = _row("333")
    answer = client.post(
        "/wechat/events/?timestamp=1&nonce=2&signature=bad",
        _push("333", "success"),
        content_type="text/xml",
    )
    row.refresh_from_db()
    assert answer.status_code == 403
    assert row.status == Status.SENT


@pytest.mark.parametrize(
    "body",
    [b"not xml", b'<!DOCTYPE x [<!ENTITY a "b">]><xml>&a;</xml>'],
)
def test_a_body_that_is_not_plain_xml_is_a_400(client, body):
    answer = client.post(
        "/wechat/events/?" + "&".join(f"{k}={v}" for k, v in _signed().items()),
        body,
        content_type="text/xml",
    )
    assert answer.status_code == 400


def test_the_endpoint_is_not_found_without_a_token(client, settings):
    settings.WECHAT_EVENT_TOKEN = ""
    assert client.get("/wechat/events/").status_code == 404
