"""The WeChat client against a local server answering as WeChat does."""

import pytest
from django.core.cache import cache

from notifications.wechat.client import WeChatClient, WeChatError

pytestmark = pytest.mark.django_db


def test_a_web_authorisation_code_gives_her_openid_once(wechat):
    wechat.state.codes["CODE-A"] = "o-her-openid"
    client = WeChatClient()

    assert client.oauth_openid("CODE-A") == "o-her-openid"
    with pytest.raises(WeChatError) as reused:
        client.oauth_openid("CODE-A")
    assert reused.value.errcode == 40029
    assert not reused.value.transient


def test_the_access_token_is_fetched_once_and_kept_in_the_cache(wechat):
    client = WeChatClient()
    first = client.send_subscribe(openid="o-1", template_id="T", data={"thing1": "a"})
    second = client.send_subscribe(openid="o-2", template_id="T", data={"thing1": "b"})

    assert first
    assert second
    assert first != second
    assert wechat.state.token_calls == 1
    assert cache.get(client.token_key) == "TOKEN-1"


@pytest.mark.parametrize("dead", [40001, 42001])
def test_a_dead_token_is_refreshed_by_force_and_the_send_goes_once(wechat, dead):
    client = WeChatClient()
    client.access_token()
    wechat.state.expire_token()  # WeChat now holds TOKEN-2; we still hold TOKEN-1
    if dead == 40001:
        cache.set(client.token_key, "garbled", 60)  # never a token at all

    msgid = client.send_subscribe(openid="o-1", template_id="T", data={})

    assert msgid
    assert len(wechat.state.sent) == 1
    assert cache.get(client.token_key) == wechat.state.token


@pytest.mark.parametrize("code", [45009, 45011])
def test_rate_limits_are_transient(wechat, code):
    wechat.state.fail_next = [code]
    with pytest.raises(WeChatError) as limited:
        WeChatClient().send_subscribe(openid="o-1", template_id="T", data={})
    assert limited.value.errcode == code
    assert limited.value.transient


def test_a_refusal_is_permanent(wechat):
    wechat.state.refusing.add("o-no")
    with pytest.raises(WeChatError) as refused:
        WeChatClient().send_subscribe(openid="o-no", template_id="T", data={})
    assert refused.value.errcode == 43101
    assert not refused.value.transient


def test_an_unreachable_server_is_transient(settings):
    settings.WECHAT_APP_ID = "wx"
    settings.WECHAT_APP_SECRET = "s"
    settings.WECHAT_API_BASE = "http://127.0.0.1:9"
    with pytest.raises(WeChatError) as cut:
        WeChatClient().access_token()
    assert cut.value.errcode is None
    assert cut.value.transient


def test_missing_credentials_name_the_variable(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.WECHAT_APP_ID = ""
    with pytest.raises(ImproperlyConfigured, match="WECHAT_APP_ID"):
        WeChatClient()
