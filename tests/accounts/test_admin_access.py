"""Django's admin is for program admins (and superusers) only: clinic and union
staff are refused even when their `is_staff` flag was set by mistake."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from accounts.models import Role
from common.models import AuditEvent
from tests.accounts.factories import STAFF_PASSWORD, TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.CLINIC, Role.UNION])
def test_clinic_and_union_staff_with_the_staff_flag_are_kept_out_of_the_admin(
    client, role
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(UserFactory(role=role, is_staff=True))

    index = client.get("/admin/")
    login = client.get("/admin/login/?next=/admin/")
    users = client.get("/admin/accounts/user/")

    assert index.status_code == 302
    assert login.status_code == 403
    assert users.status_code == 302


@pytest.mark.parametrize("role", [Role.CLINIC, Role.UNION])
def test_the_admin_login_refuses_clinic_and_union_staff_like_a_wrong_password(
    client, role
) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(role=role, is_staff=True)

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": user.username, "password": STAFF_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "flags",
    [
        {"role": Role.ADMIN, "is_staff": True},
        {"role": Role.ADMIN, "is_staff": True, "is_superuser": True},
        {"role": "", "is_staff": True, "is_superuser": True},
    ],
    ids=["program-admin", "program-admin-superuser", "superuser-without-role"],
)
def test_program_admins_and_superusers_reach_the_admin(client, flags) -> None:  # type: ignore[no-untyped-def]
    client.force_login(UserFactory(**flags))

    assert client.get("/admin/").status_code == 200


def test_a_program_admin_without_the_staff_flag_is_kept_out(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=False))

    assert client.get("/admin/").status_code == 302


def test_a_disabled_program_admin_is_kept_out(client) -> None:  # type: ignore[no-untyped-def]
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    admin.is_active = False
    admin.save()

    assert client.get("/admin/").status_code == 302


def test_the_authenticator_keys_are_not_in_the_admin(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))

    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


def test_the_staff_list_shows_who_has_two_factor_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    TOTPDeviceFactory(user=UserFactory(username="nurse-with-app"))

    response = client.get("/admin/accounts/user/")

    assert response.status_code == 200
    # The admin speaks the site's language: look for the column in it.
    with translation.override(settings.LANGUAGE_CODE):
        column = translation.gettext("two-factor sign-in")
    assert column in response.content.decode()


def test_the_admin_reset_action_removes_the_authenticator_and_is_audited(
    client,
) -> None:  # type: ignore[no-untyped-def]
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    nurse = UserFactory(role=Role.CLINIC)
    TOTPDeviceFactory(user=nurse)
    tablet = Client()
    tablet.force_login(nurse)

    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [nurse.pk]},
    )

    assert response.status_code == 302
    assert not nurse.totpdevice_set.exists()
    assert tablet.get("/desk/").status_code == 302
    event = AuditEvent.objects.get(action="staff.two_factor_reset")
    assert event.actor_label == admin.username
    assert event.object_id == str(nurse.pk)


def test_an_admin_action_leaves_the_admins_own_account_alone(client) -> None:  # type: ignore[no-untyped-def]
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    TOTPDeviceFactory(user=admin)

    client.post(
        "/admin/accounts/user/",
        {"action": "disable_and_sign_out", "_selected_action": [admin.pk]},
    )

    admin.refresh_from_db()
    assert admin.is_active
    assert client.get("/admin/").status_code == 200
