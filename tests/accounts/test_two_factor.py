"""Two-factor sign-in of staff (TOTP with django-otp): the set-up on first sign-in,
the code step after every password, its throttle, the API token's code, and the
admin's reset."""

import re
from base64 import b32encode
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.models import Role, StaffSession, StaffToken
from common.models import AuditEvent
from tests.accounts.factories import (
    STAFF_PASSWORD,
    TOTPDeviceFactory,
    UserFactory,
    current_code,
    sign_in_both_steps,
)
from tests.scheduling.desk_support import clinic_user
from tests.scheduling.factories import SiteFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
VERIFY_URL = "/staff/two-factor/"
SETUP_URL = "/staff/two-factor/setup/"
# An inline script is any <script> without a src: the CSP would block it anyway.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _two_factor_on(settings) -> None:  # type: ignore[no-untyped-def]
    settings.STAFF_TWO_FACTOR_REQUIRED = True


@pytest.fixture
def client() -> Client:
    """Pages in English, so the assertions read the msgids."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(datetime(2026, 3, 2, 1, 0, tzinfo=UTC), tick=False) as t:
        yield t


@pytest.fixture
def nurse():  # type: ignore[no-untyped-def]
    return clinic_user(SiteFactory())


def password_sign_in(client: Client, username: str, next_url: str = "/desk/"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/staff/login/?next={next_url}",
        {"username": username, "password": STAFF_PASSWORD},
    )


def ask_token(**body: str):  # type: ignore[no-untyped-def]
    return APIClient().post(TOKEN_URL, body, format="json")


# --- The page sign-in ---------------------------------------------------------


def test_a_password_alone_sends_a_new_member_of_staff_to_set_up_an_authenticator(
    client, nurse
) -> None:  # type: ignore[no-untyped-def]
    response = password_sign_in(client, nurse.username)

    assert response.status_code == 302
    assert response["Location"] == f"{SETUP_URL}?next=%2Fdesk%2F"
    assert client.get("/desk/")["Location"].startswith(SETUP_URL)


def test_a_password_alone_sends_an_enrolled_member_of_staff_to_the_code_page(
    client, nurse
) -> None:  # type: ignore[no-untyped-def]
    TOTPDeviceFactory(user=nurse)

    response = password_sign_in(client, nurse.username)

    assert response["Location"] == f"{VERIFY_URL}?next=%2Fdesk%2F"


def test_the_setup_page_shows_a_qr_code_and_the_key_in_text_without_inline_script(
    client, nurse
) -> None:  # type: ignore[no-untyped-def]
    password_sign_in(client, nurse.username)

    page = client.get(f"{SETUP_URL}?next=/desk/").content.decode()

    device = TOTPDevice.objects.get(user=nurse, confirmed=False)
    secret = b32encode(device.bin_key).decode()
    shown = re.search(r'<p class="mono big" id="secret">([^<]*)</p>', page)
    assert shown is not None
    assert shown.group(1).replace(" ", "") == secret
    assert '<img class="qr" src="data:image/svg+xml' in page
    assert not INLINE_SCRIPT.search(page)


def test_reloading_the_setup_page_keeps_the_same_key(client, nurse) -> None:  # type: ignore[no-untyped-def]
    password_sign_in(client, nurse.username)

    client.get(SETUP_URL)
    client.get(SETUP_URL)

    assert TOTPDevice.objects.filter(user=nurse).count() == 1


def test_enrolment_with_the_apps_first_code_opens_the_desk_and_shows_backup_codes(
    client, nurse, clock
) -> None:  # type: ignore[no-untyped-def]
    password_sign_in(client, nurse.username)
    client.get(SETUP_URL)
    device = TOTPDevice.objects.get(user=nurse, confirmed=False)

    response = client.post(
        SETUP_URL, {"otp_token": current_code(device), "next": "/desk/"}
    )

    device.refresh_from_db()
    assert response.status_code == 200
    assert device.confirmed
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=nurse).values_list("token", flat=True)
    )
    assert 'href="/desk/"' in response.content.decode()
    assert client.get("/desk/").status_code == 200
    assert AuditEvent.objects.filter(
        action="staff.two_factor_enrolled", object_id=str(nurse.pk)
    ).exists()


def test_a_wrong_first_code_leaves_the_authenticator_unconfirmed(
    client, nurse, clock
) -> None:  # type: ignore[no-untyped-def]
    password_sign_in(client, nurse.username)
    client.get(SETUP_URL)

    response = client.post(SETUP_URL, {"otp_token": "000000"})

    assert response.status_code == 200
    assert "This code is wrong" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=nurse, confirmed=True).exists()
    assert client.get("/desk/")["Location"].startswith(SETUP_URL)


def test_an_enrolled_account_cannot_set_up_a_second_authenticator(
    client, nurse
) -> None:  # type: ignore[no-untyped-def]
    TOTPDeviceFactory(user=nurse)
    password_sign_in(client, nurse.username)

    page = client.get(SETUP_URL)
    post = client.post(SETUP_URL, {"otp_token": "123456"})

    assert page.status_code == 302
    assert page["Location"].startswith(VERIFY_URL)
    assert post["Location"].startswith(VERIFY_URL)
    assert TOTPDevice.objects.filter(user=nurse).count() == 1


def test_the_current_code_finishes_the_sign_in_with_a_new_session_key(
    client, nurse, clock
) -> None:  # type: ignore[no-untyped-def]
    device = TOTPDeviceFactory(user=nurse)
    password_sign_in(client, nurse.username)
    key_after_password = client.session.session_key

    response = client.post(
        VERIFY_URL, {"otp_token": current_code(device), "next": "/desk/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/desk/"
    assert client.get("/desk/").status_code == 200
    assert client.session.session_key != key_after_password
    assert StaffSession.objects.filter(
        user=nurse, session_key=client.session.session_key
    ).exists()


def test_a_code_with_a_space_as_the_app_shows_it_is_accepted(
    client, nurse, clock
) -> None:  # type: ignore[no-untyped-def]
    device = TOTPDeviceFactory(user=nurse)
    password_sign_in(client, nurse.username)
    code = current_code(device)

    response = client.post(VERIFY_URL, {"otp_token": f"{code[:3]} {code[3:]}"})

    assert response.status_code == 302


def test_the_code_page_never_sends_her_to_another_site(client, nurse, clock) -> None:  # type: ignore[no-untyped-def]
    device = TOTPDeviceFactory(user=nurse)
    password_sign_in(client, nurse.username)

    response = client.post(
        VERIFY_URL,
        {"otp_token": current_code(device), "next": "https://evil.example/desk/"},
    )

    assert response["Location"] == "/desk/"


def test_a_code_works_only_once(client, nurse, clock) -> None:  # type: ignore[no-untyped-def]
    device = TOTPDeviceFactory(user=nurse)
    code = current_code(device)
    password_sign_in(client, nurse.username)
    client.post(VERIFY_URL, {"otp_token": code})
    client.post("/staff/logout/")
    clock.shift(5)
    password_sign_in(client, nurse.username)

    response = client.post(VERIFY_URL, {"otp_token": code})

    assert response.status_code == 200
    assert client.get("/desk/")["Location"].startswith(VERIFY_URL)


def test_after_signing_out_the_next_sign_in_asks_for_the_code_again(
    client, nurse, clock
) -> None:  # type: ignore[no-untyped-def]
    device = TOTPDeviceFactory(user=nurse)
    password_sign_in(client, nurse.username)
    client.post(VERIFY_URL, {"otp_token": current_code(device)})
    client.post("/staff/logout/")

    password_sign_in(client, nurse.username)

    assert client.get("/desk/")["Location"].startswith(VERIFY_URL)


def test_a_backup_code_signs_in_once(client, nurse, clock) -> None:  # type: ignore[no-untyped-def]
    TOTPDeviceFactory(user=nurse)
    backup = StaticDevice.objects.create(user=nurse, name="backup codes")
    backup.token_set.create(token="abcd2345")
    password_sign_in(client, nurse.username)

    first = client.post(VERIFY_URL, {"otp_token": "ABCD 2345"})
    client.post("/staff/logout/")
    clock.shift(60)
    password_sign_in(client, nurse.username)
    second = client.post(VERIFY_URL, {"otp_token": "abcd2345"})

    assert first.status_code == 302
    assert second.status_code == 200
    assert not backup.token_set.exists()


def test_wrong_codes_make_even_the_right_code_wait_and_say_so(
    client, nurse, clock
) -> None:  # type: ignore[no-untyped-def]
    device = TOTPDeviceFactory(user=nurse)
    password_sign_in(client, nurse.username)
    # Each miss doubles the wait before the next try: 1 s, 2 s, then 4 s.
    for wait in (1, 2, 0):
        client.post(VERIFY_URL, {"otp_token": "000000"})
        clock.shift(wait)

    throttled = client.post(VERIFY_URL, {"otp_token": current_code(device)})

    assert throttled.status_code == 429
    assert "Too many wrong codes. Wait 4 seconds" in throttled.content.decode()
    assert throttled["Retry-After"] == "4"
    assert client.get("/desk/")["Location"].startswith(VERIFY_URL)
    clock.shift(5)
    assert (
        client.post(VERIFY_URL, {"otp_token": current_code(device)}).status_code == 302
    )


def test_every_refused_code_is_audited(client, nurse, clock) -> None:  # type: ignore[no-untyped-def]
    TOTPDeviceFactory(user=nurse)
    password_sign_in(client, nurse.username)

    client.post(VERIFY_URL, {"otp_token": "000000"})
    client.post(VERIFY_URL, {"otp_token": "000000"})

    events = AuditEvent.objects.filter(
        action="staff.two_factor_failed", object_id=str(nurse.pk)
    ).order_by("id")
    assert [event.details["reason"] for event in events] == ["wrong", "throttled"]
    assert events[0].actor_label == nurse.username


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.CLINIC, "/desk/"),
        (Role.UNION, "/union/"),
        (Role.ADMIN, "/admin/"),
    ],
)
def test_a_verified_session_reaches_its_staff_area(client, role, path) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(role=role, is_staff=role == Role.ADMIN)
    sign_in_both_steps(client, user)

    response = client.get(path)

    assert response.status_code == 200


def test_a_password_without_the_code_cannot_write_through_a_staff_api(
    client, nurse
) -> None:  # type: ignore[no-untyped-def]
    TOTPDeviceFactory(user=nurse)
    password_sign_in(client, nurse.username)

    response = client.post(
        "/api/v1/clinic/checkins/",
        {"reference": "ABC123"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_required"
    assert "authenticator app" in response.json()["detail"]


def test_signing_out_is_open_before_the_code(client, nurse) -> None:  # type: ignore[no-untyped-def]
    TOTPDeviceFactory(user=nurse)
    password_sign_in(client, nurse.username)

    response = client.post("/staff/logout/")

    assert response["Location"] == "/staff/login/"
    assert "_auth_user_id" not in client.session


def test_with_two_factor_off_a_password_still_opens_the_desk(
    client, nurse, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.STAFF_TWO_FACTOR_REQUIRED = False

    response = password_sign_in(client, nurse.username)

    assert response["Location"] == "/desk/"
    assert client.get("/desk/").status_code == 200


# --- The API token ------------------------------------------------------------


def test_the_api_token_needs_the_code_when_two_factor_is_on(nurse) -> None:  # type: ignore[no-untyped-def]
    TOTPDeviceFactory(user=nurse)

    response = ask_token(username=nurse.username, password=STAFF_PASSWORD)

    assert response.status_code == 400
    assert response.json()["code"] == "otp_token_required"
    assert not StaffToken.objects.exists()


def test_the_api_token_refuses_a_wrong_code(nurse, clock) -> None:  # type: ignore[no-untyped-def]
    TOTPDeviceFactory(user=nurse)

    response = ask_token(
        username=nurse.username, password=STAFF_PASSWORD, otp_token="000000"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"code", "detail"}
    assert response.json()["code"] == "otp_token_invalid"
    assert not StaffToken.objects.exists()


def test_the_api_token_is_issued_for_password_and_current_code(nurse, clock) -> None:  # type: ignore[no-untyped-def]
    device = TOTPDeviceFactory(user=nurse)

    response = ask_token(
        username=nurse.username,
        password=STAFF_PASSWORD,
        otp_token=current_code(device),
    )

    assert response.status_code == 200
    assert StaffToken.objects.filter(user=nurse).count() == 1


def test_the_api_token_of_an_account_without_an_authenticator_says_how_to_get_one(
    nurse,
) -> None:  # type: ignore[no-untyped-def]
    response = ask_token(
        username=nurse.username, password=STAFF_PASSWORD, otp_token="123456"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "otp_device_missing"


def test_the_api_token_checks_the_password_before_the_code(nurse, clock) -> None:  # type: ignore[no-untyped-def]
    device = TOTPDeviceFactory(user=nurse)

    response = ask_token(
        username=nurse.username,
        password="wrong-password",
        otp_token=current_code(device),
    )

    assert response.json()["code"] == "invalid_credentials"


def test_wrong_api_codes_are_throttled_with_retry_after(nurse, clock) -> None:  # type: ignore[no-untyped-def]
    device = TOTPDeviceFactory(user=nurse)
    ask_token(username=nurse.username, password=STAFF_PASSWORD, otp_token="000000")

    response = ask_token(
        username=nurse.username,
        password=STAFF_PASSWORD,
        otp_token=current_code(device),
    )

    assert response.status_code == 429
    assert response.json()["code"] == "otp_token_throttled"
    assert response.json()["retry_after"] == int(response["Retry-After"]) == 1
    assert not StaffToken.objects.exists()


# --- The admin's reset --------------------------------------------------------


def test_the_reset_command_removes_the_authenticator_and_ends_every_session(
    nurse,
) -> None:  # type: ignore[no-untyped-def]
    tablet = Client()
    sign_in_both_steps(tablet, nurse)
    StaticDevice.objects.create(user=nurse, name="backup codes")
    StaffToken.objects.create(
        user=nurse, key_hash="f" * 64, expires_at=datetime(2100, 1, 1, tzinfo=UTC)
    )

    call_command("staff_reset_two_factor", nurse.username)

    assert not TOTPDevice.objects.filter(user=nurse).exists()
    assert not StaticDevice.objects.filter(user=nurse).exists()
    assert not StaffToken.objects.filter(user=nurse).exists()
    assert tablet.get("/desk/")["Location"].startswith("/staff/login/")
    event = AuditEvent.objects.get(action="staff.two_factor_reset")
    assert event.object_id == str(nurse.pk)
    assert event.actor_label == "system"
    assert event.details["devices_removed"] == 2


def test_after_a_reset_the_next_sign_in_sets_up_a_new_authenticator(
    client, nurse
) -> None:  # type: ignore[no-untyped-def]
    TOTPDeviceFactory(user=nurse)
    call_command("staff_reset_two_factor", nurse.username)

    response = password_sign_in(client, nurse.username)

    assert response["Location"].startswith(SETUP_URL)


def test_the_reset_command_names_an_unknown_account() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No staff account named 'nobody'"):
        call_command("staff_reset_two_factor", "nobody")
