"""Staff sessions end: after 30 idle minutes, 8 hours after sign-in however busy,
everywhere at once when the account is disabled, and elsewhere when the password
changes. Participants' sessions follow their own rules."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Role, StaffSession, StaffToken
from accounts.services import staff_deactivate, staff_token_issue
from common.models import AuditEvent
from tests.accounts.factories import STAFF_PASSWORD, UserFactory, sign_in_both_steps
from tests.privacy.support import sign_in_page
from tests.scheduling.desk_support import clinic_user
from tests.scheduling.factories import ConsentedParticipantFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(datetime(2026, 3, 2, 1, 0, tzinfo=UTC), tick=False) as t:
        yield t


@pytest.fixture
def nurse():  # type: ignore[no-untyped-def]
    return clinic_user(SiteFactory())


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    # In English, so the assertions read the msgids.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post(
        "/staff/login/", {"username": user.username, "password": STAFF_PASSWORD}
    )
    return client


def flash(client: Client) -> str:
    return client.get("/staff/login/").content.decode()


# --- Idle timeout and absolute lifetime ----------------------------------------


def test_a_staff_session_idle_for_30_minutes_is_signed_out_with_a_message(
    nurse, clock
) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(nurse)
    clock.shift(timedelta(minutes=30))

    response = client.get("/desk/")

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/?next=/desk/")
    assert "_auth_user_id" not in client.session
    assert not StaffSession.objects.filter(user=nurse).exists()
    assert "signed out after 30 minutes without activity" in flash(client)


def test_a_staff_session_in_use_outlives_the_idle_limit(nurse, clock) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(nurse)

    for _step in range(4):
        clock.shift(timedelta(minutes=20))
        response = client.get("/desk/")

    assert response.status_code == 200


def test_the_idle_limit_comes_from_the_setting(nurse, clock, settings) -> None:  # type: ignore[no-untyped-def]
    settings.STAFF_SESSION_IDLE_MINUTES = 5
    client = signed_in(nurse)
    clock.shift(timedelta(minutes=5, seconds=1))

    assert client.get("/desk/").status_code == 302


def test_a_busy_staff_session_still_ends_8_hours_after_sign_in(nurse, clock) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(nurse)
    for _step in range(8 * 3 - 1):
        clock.shift(timedelta(minutes=20))
        assert client.get("/desk/").status_code == 200

    clock.shift(timedelta(minutes=20))
    response = client.get("/desk/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert "a session lasts at most 8 hours" in flash(client)


def test_an_idle_staff_api_session_is_answered_as_signed_out(nurse, clock) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(nurse)
    site = nurse.sites.get()
    clock.shift(timedelta(minutes=31))

    response = client.get(f"/api/v1/clinic/appointments/?site={site.pk}")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_participants_page_session_has_no_staff_idle_limit(clock) -> None:  # type: ignore[no-untyped-def]
    woman = ConsentedParticipantFactory()
    client = Client()
    sign_in_page(client, woman)
    client.get("/my/")
    clock.shift(timedelta(minutes=45))

    response = client.get("/my/")

    assert response.status_code == 200


def test_a_participants_page_session_carries_no_staff_bookkeeping() -> None:
    client = Client()
    sign_in_page(client, ConsentedParticipantFactory())

    client.get("/my/")

    assert not StaffSession.objects.exists()
    assert not any(key.startswith("staff_") for key in dict(client.session.items()))


# --- Disabling an account -----------------------------------------------------


def test_disabling_an_account_ends_all_its_sessions_and_tokens(nurse) -> None:  # type: ignore[no-untyped-def]
    tablet, laptop = signed_in(nurse), signed_in(nurse)
    _token, key = staff_token_issue(user=nurse)
    colleague = signed_in(UserFactory(role=Role.UNION))
    admin = UserFactory(role=Role.ADMIN, is_staff=True)

    staff_deactivate(user=nurse, by=admin)

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    site = nurse.sites.get()
    assert tablet.get("/desk/").status_code == 302
    assert laptop.get("/desk/").status_code == 302
    assert api.get(f"/api/v1/clinic/appointments/?site={site.pk}").status_code == 401
    assert not StaffToken.objects.filter(user=nurse).exists()
    assert not StaffSession.objects.filter(user=nurse).exists()
    assert Session.objects.count() == 1
    assert colleague.get("/union/").status_code == 200
    event = AuditEvent.objects.get(action="staff.deactivated")
    assert event.actor_label == admin.username
    assert event.details == {"sessions_ended": 2, "tokens_revoked": 1}


def test_disabling_is_one_transaction_with_its_sign_outs(nurse) -> None:  # type: ignore[no-untyped-def]
    tablet = signed_in(nurse)
    staff_token_issue(user=nurse)

    def disable_then_fail() -> None:
        with transaction.atomic():
            staff_deactivate(user=nurse, by=None)
            raise RuntimeError("the caller's transaction fails after the call")

    with pytest.raises(RuntimeError):
        disable_then_fail()

    nurse.refresh_from_db()
    assert nurse.is_active
    assert StaffToken.objects.filter(user=nurse).exists()
    assert tablet.get("/desk/").status_code == 200


def test_saving_an_account_as_disabled_any_other_way_also_signs_it_out(nurse) -> None:  # type: ignore[no-untyped-def]
    tablet = signed_in(nurse)
    staff_token_issue(user=nurse)

    nurse.is_active = False
    nurse.save()

    assert not Session.objects.exists()
    assert not StaffToken.objects.filter(user=nurse).exists()
    assert tablet.get("/desk/").status_code == 302


def test_a_session_whose_key_changed_at_the_code_step_is_still_ended(
    nurse, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.STAFF_TWO_FACTOR_REQUIRED = True
    tablet = Client()
    sign_in_both_steps(tablet, nurse)
    tablet.get("/desk/")
    # The key changes at the code step; the desk request afterwards re-indexes it.
    session = tablet.session
    session.cycle_key()
    session.save()
    tablet.cookies["sessionid"] = session.session_key
    tablet.get("/desk/")

    staff_deactivate(user=nurse, by=None)

    assert not Session.objects.exists()


def test_the_admin_action_disables_and_signs_out(nurse) -> None:  # type: ignore[no-untyped-def]
    tablet = signed_in(nurse)
    admin = Client()
    admin_user = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    admin.force_login(admin_user)

    response = admin.post(
        "/admin/accounts/user/",
        {"action": "disable_and_sign_out", "_selected_action": [nurse.pk]},
    )

    nurse.refresh_from_db()
    assert response.status_code == 302
    assert not nurse.is_active
    assert tablet.get("/desk/").status_code == 302
    assert AuditEvent.objects.filter(
        action="staff.deactivated", actor_label=admin_user.username
    ).exists()


def test_the_admin_change_form_disabling_an_account_signs_it_out(nurse) -> None:  # type: ignore[no-untyped-def]
    tablet = signed_in(nurse)
    admin = Client()
    admin.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    url = f"/admin/accounts/user/{nurse.pk}/change/"
    form = admin.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"password", "groups", "user_permissions"}
    }
    data.update(
        {
            "is_active": "",
            "date_joined_0": nurse.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": nurse.date_joined.strftime("%H:%M:%S"),
            "last_login_0": "",
            "last_login_1": "",
        }
    )
    data.pop("is_active")
    data.pop("date_joined", None)
    data.pop("last_login", None)

    response = admin.post(url, data)

    nurse.refresh_from_db()
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not nurse.is_active
    assert tablet.get("/desk/").status_code == 302
    assert AuditEvent.objects.get(action="staff.deactivated").details == {
        "sessions_ended": 1,
        "tokens_revoked": 0,
    }


# --- Changing the password ------------------------------------------------------


def test_a_changed_password_ends_the_accounts_other_sessions(nurse) -> None:  # type: ignore[no-untyped-def]
    tablet = signed_in(nurse)

    nurse.set_password("a-new-and-long-passphrase-7")
    nurse.save()

    assert tablet.get("/desk/").status_code == 302
    assert "_auth_user_id" not in tablet.session
