"""The client's address behind the trusted proxies: the sign-in code limit per
address, the audit trail and the staff lock-out all use it."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory, override_settings
from rest_framework.test import APIClient

from common.audit import audit_record
from common.client_address import client_address
from common.crypto import keyed_hash
from screening.models import OtpChallenge
from tests.accounts.factories import UserFactory

PROXY = "10.0.0.2"
WOMAN = "203.0.113.7"
OTHER = "198.51.100.9"


def _request(forwarded: str | None, remote: str = PROXY):  # type: ignore[no-untyped-def]
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_forwarded_header_is_ignored() -> None:
    assert client_address(_request(f"{WOMAN}")) == PROXY


@override_settings(TRUSTED_PROXY_HOPS=1)
def test_one_trusted_proxy_gives_the_address_it_appended() -> None:
    # The leftmost entry is the client's own claim; the proxy appended the last.
    assert client_address(_request(f"1.2.3.4, {WOMAN}")) == WOMAN


@override_settings(TRUSTED_PROXY_HOPS=2)
def test_two_trusted_proxies_give_the_entry_two_from_the_end() -> None:
    assert client_address(_request(f"1.2.3.4, {WOMAN}, 10.0.0.1")) == WOMAN


@override_settings(TRUSTED_PROXY_HOPS=2)
@pytest.mark.parametrize("forwarded", [None, "", WOMAN, f"not-an-address, {PROXY}"])
def test_a_short_or_garbled_header_falls_back_to_the_peer(forwarded) -> None:  # type: ignore[no-untyped-def]
    assert client_address(_request(forwarded)) == PROXY


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_HOPS=1, OTP_LIMIT_PER_IP_HOUR=2)
def test_the_code_limit_per_address_counts_each_woman_behind_the_proxy() -> None:
    client = APIClient()
    for n, address in enumerate([WOMAN, WOMAN, OTHER]):
        response = client.post(
            "/api/v1/auth/otp/",
            {"phone": f"1391234567{n}"},
            format="json",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=address,
        )
        assert response.status_code == 202, response.content

    third_from_her = client.post(
        "/api/v1/auth/otp/",
        {"phone": "13912345679"},
        format="json",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=WOMAN,
    )

    assert third_from_her.status_code == 429
    hashes = set(OtpChallenge.objects.values_list("ip_hash", flat=True))
    assert hashes == {keyed_hash(WOMAN, purpose="ip"), keyed_hash(OTHER, purpose="ip")}


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_HOPS=1)
def test_the_audit_trail_names_the_client_not_the_proxy() -> None:
    event = audit_record(
        actor=None, action="test.seen", obj_type="x", obj_id=1, request=_request(WOMAN)
    )

    assert event.ip_address == WOMAN


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_HOPS=1)
def test_the_lock_out_records_the_client_not_the_proxy() -> None:
    user = UserFactory()
    APIClient().post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": "not-the-password"},
        format="json",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=WOMAN,
    )

    assert AccessAttempt.objects.get().ip_address == WOMAN
