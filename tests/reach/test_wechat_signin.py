"""Signing in inside WeChat: web authorisation, then her SMS code once."""

import pytest
from django.test import Client

from common.models import AuditEvent
from reach.models import ReachProfile
from reach.services import wechat_bind
from tests.pages.flow import registered_woman, sign_in

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800322c) NetType/WIFI"
)


def _through_wechat(client: Client) -> str:
    """Follow the authorisation round trip; where she lands."""
    start = client.get("/wechat/signin/", HTTP_USER_AGENT=WECHAT_UA)
    assert start.status_code == 302
    authorise = start["Location"].split("#")[0]
    assert "scope=snsapi_base" in authorise
    # The local server plays WeChat: it sends the browser back with a code.
    import urllib.request

    class _NoFollow(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(_NoFollow)
    try:
        opener.open(authorise)
    except urllib.error.HTTPError as answer:
        back = answer.headers["Location"]
    path = back.split("testserver", 1)[1]
    landed = client.get(path, HTTP_USER_AGENT=WECHAT_UA)
    assert landed.status_code == 302
    return landed["Location"]


def test_a_new_openid_waits_for_her_sms_code_and_is_bound_once(client, wechat):
    woman = registered_woman(PHONE)

    assert _through_wechat(client) == "/signin/"
    assert not ReachProfile.objects.exists()
    sign_in(client, PHONE)
    client.get("/my/")

    profile = ReachProfile.objects.get(participant=woman)
    assert profile.openid == wechat.state.openid
    assert profile.openid_hash
    assert wechat.state.openid not in profile.openid_hash
    assert (
        AuditEvent.objects.filter(
            action="participant.wechat_bound", object_id=str(woman.pk)
        ).count()
        == 1
    )


def test_a_bound_openid_signs_her_straight_in(client, wechat):
    woman = registered_woman(PHONE)
    wechat_bind(participant=woman, openid=wechat.state.openid)

    assert _through_wechat(client) == "/my/"
    page = client.get("/my/")
    assert page.status_code == 200
    assert wechat.state.openid not in page.content.decode()


def test_a_forged_state_is_refused_and_sends_her_to_the_sms_sign_in(client, wechat):
    client.get("/wechat/signin/")
    answer = client.get("/wechat/callback/", {"code": "CODE-X", "state": "forged"})
    assert answer.status_code == 302
    assert answer["Location"] == "/signin/"
    assert not client.session.get("ankang_signin")


def test_a_code_wechat_does_not_know_is_refused_without_a_500(client, wechat):
    client.get("/wechat/signin/")
    state = client.session["ankang_wechat_state"]
    answer = client.get("/wechat/callback/", {"code": "CODE-NEVER", "state": state})
    assert answer.status_code == 302
    assert answer["Location"] == "/signin/"


def test_wechat_sign_in_is_not_found_when_wechat_is_not_set_up(client, settings):
    settings.WECHAT_APP_ID = ""
    assert client.get("/wechat/signin/").status_code == 404
    assert client.get("/wechat/callback/").status_code == 404


def test_an_openid_moves_to_whoever_proves_the_phone_next(wechat):
    first = registered_woman(PHONE)
    second = registered_woman("13698765432")
    wechat_bind(participant=first, openid="o-shared")
    wechat_bind(participant=second, openid="o-shared")

    assert ReachProfile.objects.get(participant=first).openid_hash is None
    assert ReachProfile.objects.get(participant=second).openid == "o-shared"


def test_her_channel_page_saves_her_order_and_refuses_nonsense(client, wechat):
    registered_woman(PHONE)
    sign_in(client, PHONE)

    page = client.get("/my/channels/")
    saved = client.post("/my/channels/", {"position1": "sms", "position2": "voice"})
    doubled = client.post("/my/channels/", {"position1": "sms", "position2": "sms"})
    unknown = client.post("/my/channels/", {"position1": "pigeon"})

    assert page.status_code == 200
    assert saved.status_code == 302
    assert ReachProfile.objects.get().channel_order == ["sms", "voice"]
    assert doubled.status_code == 400
    assert unknown.status_code == 400


def test_her_channel_page_needs_her_signed_in(client):
    assert client.get("/my/channels/")["Location"] == "/signin/"


def test_the_message_admin_never_shows_the_openid(admin_client, wechat):
    from notifications.models import Notification
    from tests.notifications.factories import NotificationFactory

    row = NotificationFactory(channel="wechat", recipient_openid="o-secret-openid")
    page = admin_client.get(f"/admin/notifications/notification/{row.pk}/change/")
    assert page.status_code == 200
    assert "o-secret-openid" not in page.content.decode()
    assert Notification.objects.get(pk=row.pk).recipient_openid == "o-secret-openid"


def test_deleting_her_data_forgets_her_wechat_everywhere(wechat):
    from notifications.models import Notification
    from screening.privacy import participant_anonymise
    from tests.notifications.factories import NotificationFactory

    woman = registered_woman(PHONE)
    wechat_bind(participant=woman, openid="o-hers")
    NotificationFactory(
        kind="booking_confirmed",
        channel="wechat",
        recipient_openid="o-hers",
        recipient_ref=f"participant:{woman.pk}",
        status="sent",
    )

    participant_anonymise(participant=woman, reason="her_request")

    assert not ReachProfile.objects.filter(participant=woman).exists()
    assert Notification.objects.get().recipient_openid is None
