"""Assisted sign-up: the steward types, the woman confirms with her own code."""

import pytest
from django.test import Client

from accounts.models import Role
from common.models import AuditEvent
from reach.models import AssistedSignup, AssistedStatus
from screening.models import Participant
from tests.accounts.factories import UserFactory
from tests.pages.flow import last_code, sign_in
from tests.screening.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture
def steward(client: Client):
    user = UserFactory(username="steward-wang", role=Role.STEWARD, first_name="王")
    client.force_login(user)
    return user


def _id_number() -> str:
    # A valid number of a woman of screening age, made as the factories make them.
    return ParticipantFactory.build().id_number


def _start(client: Client, campaign, district, *, id_number: str) -> object:
    return client.post(
        f"/steward/signup/{campaign.pk}/",
        {
            "phone": PHONE,
            "full_name": "张秀英",
            "id_number": id_number,
            "employment_type": "courier",
            "employer": "顺丰",
            "district_code": district.code,
        },
    )


def test_the_woman_confirms_with_her_own_code_and_the_steward_sees_no_id(
    client, steward, campaign, district
):
    id_number = _id_number()
    started = _start(client, campaign, district, id_number=id_number)
    assert started.status_code == 302
    confirm_url = started["Location"]
    page = client.get(confirm_url).content.decode()
    assert id_number not in page
    assert PHONE not in page
    assert "138****5678" in page

    done = client.post(confirm_url, {"code": last_code(), "consent_health_data": "on"})

    assert done.status_code == 200
    assert id_number not in done.content.decode()
    woman = Participant.objects.get()
    assert woman.id_number == id_number
    assert woman.full_name == "张秀英"
    signup = AssistedSignup.objects.get()
    assert signup.status == AssistedStatus.CONFIRMED
    assert signup.draft is None
    assert AuditEvent.objects.filter(
        action="participant.assisted_signup", actor=steward, object_id=str(woman.pk)
    ).exists()
    home = client.get("/steward/").content.decode()
    assert "张秀英" not in home
    assert id_number not in home


def test_her_data_page_shows_who_signed_her_up(
    client, steward, campaign, district, settings
):
    settings.OTP_LIMIT_PER_PHONE_MINUTE = 5  # her own sign-in follows at once
    started = _start(client, campaign, district, id_number=_id_number())
    client.post(started["Location"], {"code": last_code(), "consent_health_data": "on"})

    her = Client()
    sign_in(her, PHONE)
    page = her.get("/my/data/").content.decode()
    assert "steward-wang" in page or "王" in page


def test_a_wrong_code_registers_nobody_and_keeps_the_sign_up_waiting(
    client, steward, campaign, district
):
    started = _start(client, campaign, district, id_number=_id_number())
    wrong = client.post(
        started["Location"], {"code": "000000", "consent_health_data": "on"}
    )
    assert wrong.status_code == 400
    assert not Participant.objects.exists()
    assert AssistedSignup.objects.get().status == AssistedStatus.WAITING


def test_without_her_consent_nobody_is_registered(client, steward, campaign, district):
    started = _start(client, campaign, district, id_number=_id_number())
    refused = client.post(started["Location"], {"code": last_code()})
    assert refused.status_code == 400
    assert not Participant.objects.exists()


def test_a_form_sent_back_never_shows_the_id_number_again(
    client, steward, campaign, district
):
    id_number = _id_number()
    back = client.post(
        f"/steward/signup/{campaign.pk}/",
        {"phone": "12", "full_name": "张秀英", "id_number": id_number},
    )
    assert back.status_code == 400
    assert id_number not in back.content.decode()


def test_a_steward_counts_only_her_own_sign_ups(client, steward, campaign, district):
    _start(client, campaign, district, id_number=_id_number())
    other = Client()
    other.force_login(UserFactory(username="steward-li", role=Role.STEWARD))
    page = other.get("/steward/").content.decode()
    own = client.get("/steward/").content.decode()
    assert "<dd>1</dd>" in own
    assert "<dd>1</dd>" not in page


def test_another_steward_cannot_open_her_waiting_sign_up(
    client, steward, campaign, district
):
    started = _start(client, campaign, district, id_number=_id_number())
    other = Client()
    other.force_login(UserFactory(username="steward-li", role=Role.STEWARD))
    answer = other.post(
        started["Location"], {"code": last_code(), "consent_health_data": "on"}
    )
    assert answer.status_code == 302
    assert answer["Location"] == "/steward/"
    assert not Participant.objects.exists()


@pytest.mark.parametrize("role", [Role.CLINIC, Role.UNION])
def test_other_staff_cannot_use_the_steward_pages(client, role, campaign):
    client.force_login(UserFactory(username=f"x-{role}", role=role))
    assert client.get("/steward/").status_code == 403
    assert client.get(f"/steward/signup/{campaign.pk}/").status_code == 403


def test_giving_up_erases_her_details(client, steward, campaign, district):
    started = _start(client, campaign, district, id_number=_id_number())
    signup = AssistedSignup.objects.get()
    client.post(f"/steward/confirm/{signup.pk}/abandon/")
    signup.refresh_from_db()
    assert signup.status == AssistedStatus.ABANDONED
    assert signup.draft is None
    assert client.get(started["Location"])["Location"] == "/steward/"
