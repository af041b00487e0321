"""Staff sign-in: API tokens, the login page, and the lock-out after five
failures (django-axes), for the API, the page and the admin alike."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role, StaffToken
from common.models import AuditEvent
from tests.accounts.factories import STAFF_PASSWORD, UserFactory
from tests.scheduling.desk_support import clinic_user
from tests.scheduling.factories import SiteFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def ask_token(username: str, password: str, address: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    return APIClient().post(
        TOKEN_URL,
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def test_good_credentials_get_a_token_and_the_role() -> None:
    user = UserFactory(role=Role.UNION)

    response = ask_token(user.username, STAFF_PASSWORD)

    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "union"
    assert len(body["token"]) >= 40


def test_only_a_hash_of_the_token_is_stored() -> None:
    user = UserFactory()

    key = ask_token(user.username, STAFF_PASSWORD).json()["token"]

    token = StaffToken.objects.get(user=user)
    assert key not in token.key_hash


def test_the_token_opens_the_clinic_api() -> None:
    site = SiteFactory()
    user = clinic_user(site)
    key = ask_token(user.username, STAFF_PASSWORD).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get(f"/api/v1/clinic/appointments/?site={site.pk}")

    assert response.status_code == 200


def test_an_expired_token_is_refused() -> None:
    site = SiteFactory()
    user = clinic_user(site)
    key = ask_token(user.username, STAFF_PASSWORD).json()["token"]
    StaffToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get(f"/api/v1/clinic/appointments/?site={site.pk}")

    assert response.status_code == 401


def test_a_token_of_a_disabled_account_is_refused() -> None:
    site = SiteFactory()
    user = clinic_user(site)
    key = ask_token(user.username, STAFF_PASSWORD).json()["token"]
    user.is_active = False
    user.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get(f"/api/v1/clinic/appointments/?site={site.pk}")

    assert response.status_code == 401


def test_a_wrong_password_is_400() -> None:
    user = UserFactory()

    response = ask_token(user.username, "not-the-password")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_an_unknown_user_is_400_like_a_wrong_password() -> None:
    response = ask_token("nobody", "not-the-password")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_after_five_failures_even_the_right_password_is_locked_out() -> None:
    user = UserFactory()
    for _attempt in range(5):
        ask_token(user.username, "not-the-password")

    response = ask_token(user.username, STAFF_PASSWORD)

    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert int(response["Retry-After"]) == 15 * 60
    assert not StaffToken.objects.exists()


def test_a_lock_out_is_per_account_not_per_address() -> None:
    locked, colleague = UserFactory(), UserFactory()
    for _attempt in range(5):
        ask_token(locked.username, "not-the-password")

    response = ask_token(colleague.username, STAFF_PASSWORD)

    assert response.status_code == 200


def test_a_guesser_elsewhere_cannot_lock_her_out_of_her_own_desk() -> None:
    nurse = UserFactory()
    for _attempt in range(5):
        ask_token(nurse.username, "not-the-password", address="198.51.100.9")

    from_the_guesser = ask_token(nurse.username, STAFF_PASSWORD, "198.51.100.9")
    from_her_desk = ask_token(nurse.username, STAFF_PASSWORD, "203.0.113.7")

    assert from_the_guesser.status_code == 429
    assert from_her_desk.status_code == 200


def test_a_lock_out_from_one_address_is_logged_and_audited(caplog) -> None:  # type: ignore[no-untyped-def]
    nurse = UserFactory()
    for _attempt in range(5):
        ask_token(nurse.username, "not-the-password", address="198.51.100.9")

    event = AuditEvent.objects.get(action="staff.locked_out")
    assert event.object_id == nurse.username
    assert event.ip_address == "198.51.100.9"
    assert "staff.locked_out scope=address" in caplog.text


@override_settings(STAFF_ACCOUNT_FAILURE_LIMIT=12, ADMINS=[("a", "a@example.org")])
def test_guessing_from_many_addresses_locks_the_account_everywhere_and_mails_admins(
    mailoutbox,
) -> None:  # type: ignore[no-untyped-def]
    nurse = UserFactory()
    # Four tries from each of three addresses: none of them locked on its own.
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        for _attempt in range(4):
            ask_token(nurse.username, "not-the-password", address=address)

    first = ask_token(nurse.username, STAFF_PASSWORD, "203.0.113.7")
    again = ask_token(nurse.username, STAFF_PASSWORD, "203.0.113.8")

    assert first.status_code == again.status_code == 429
    assert first.json()["code"] == "locked_out"
    [mail] = mailoutbox
    assert nurse.username in mail.body
    event = AuditEvent.objects.get(action="staff.account_locked")
    assert event.details["failures"] == 12
    assert event.details["addresses"] == 3


@override_settings(STAFF_ACCOUNT_FAILURE_LIMIT=12)
def test_the_account_wide_lock_ends_with_the_cool_off() -> None:
    nurse = UserFactory()
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        for _attempt in range(4):
            ask_token(nurse.username, "not-the-password", address=address)

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = ask_token(nurse.username, STAFF_PASSWORD, "203.0.113.7")

    assert response.status_code == 200


def test_four_failures_then_the_right_password_gets_in() -> None:
    user = UserFactory()
    for _attempt in range(4):
        ask_token(user.username, "not-the-password")

    response = ask_token(user.username, STAFF_PASSWORD)

    assert response.status_code == 200


def test_the_login_page_signs_clinic_staff_in_to_the_desk(client) -> None:  # type: ignore[no-untyped-def]
    user = clinic_user(SiteFactory())

    page = client.get("/staff/login/")
    response = client.post(
        "/staff/login/", {"username": user.username, "password": STAFF_PASSWORD}
    )

    assert page.status_code == 200
    assert response.status_code == 302
    assert response["Location"] == "/desk/"


def test_the_desk_sends_signed_out_staff_to_the_staff_login(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/desk/")

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/?next=/desk/")


def test_the_login_page_locks_out_after_five_failures(client) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory()
    for _attempt in range(5):
        client.post("/staff/login/", {"username": user.username, "password": "x"})

    response = client.post(
        "/staff/login/", {"username": user.username, "password": STAFF_PASSWORD}
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_logging_out_ends_the_session(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(clinic_user(SiteFactory()))

    response = client.post("/staff/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/staff/login/"
    assert client.get("/desk/").status_code == 302


def test_the_admin_login_still_works(client) -> None:  # type: ignore[no-untyped-def]
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": admin.username, "password": STAFF_PASSWORD},
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
