"""Program admins set each campaign's limits in the admin; limits out of order
come back as a form error, never a 500."""

import pytest

from specimens.failsafe_models import FailsafePolicy
from tests.accounts.factories import UserFactory, program_admin
from tests.screening.factories import CampaignFactory

pytestmark = pytest.mark.django_db
URL = "/admin/specimens/failsafepolicy/add/"


@pytest.fixture
def signed_in_admin(client):  # type: ignore[no-untyped-def]
    admin = program_admin()
    client.force_login(admin)
    return admin


def _form(campaign, remind: int, escalate: int, lost: int) -> dict:  # type: ignore[no-untyped-def]
    return {
        "campaign": campaign.pk,
        "remind_days": remind,
        "escalate_days": escalate,
        "lost_days": lost,
        "digest_phone": "13900001234",
    }


@pytest.mark.usefixtures("signed_in_admin")
def test_a_program_admin_sets_a_campaigns_limits(client):
    campaign = CampaignFactory()

    response = client.post(URL, _form(campaign, 7, 14, 21))

    assert response.status_code == 302
    policy = FailsafePolicy.objects.get(campaign=campaign)
    assert (policy.remind_days, policy.escalate_days, policy.lost_days) == (7, 14, 21)
    assert policy.digest_phone == "13900001234"


@pytest.mark.usefixtures("signed_in_admin")
def test_limits_out_of_order_are_a_form_error(client):
    campaign = CampaignFactory()

    response = client.post(URL, _form(campaign, 21, 14, 28))

    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert not FailsafePolicy.objects.exists()


def test_clinic_staff_cannot_change_the_limits(client):
    client.force_login(UserFactory(role="clinic", is_staff=False))

    response = client.get(URL)

    assert response.status_code == 302
