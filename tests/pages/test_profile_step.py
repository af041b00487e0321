"""The profile step: what she types is taken as she means it, and what is wrong
is said there, not after she has read the consent."""

import pytest
from django.test import Client

from screening.models import Campaign, District
from tests.pages.flow import sign_in
from tests.pages.test_signup_pages import profile
from tests.screening.factories import newcomer_id_number

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


@pytest.mark.parametrize(
    "typed",
    [
        lambda n: f"{n[:6]} {n[6:14]} {n[14:]}",
        full_width,
        lambda n: f"{n[:6]}\u3000{n[6:]}",
    ],
    ids=["groups", "full-width", "ideographic-space"],
)
def test_an_id_typed_with_spaces_or_full_width_digits_is_taken_as_the_number(
    client: Client, campaign: Campaign, district: District, typed
) -> None:
    number = newcomer_id_number(4100)
    sign_in(client, PHONE, campaign=campaign)

    saved = client.post(
        f"/signup/{campaign.pk}/profile/", profile(district, id_number=typed(number))
    )

    assert saved.status_code == 302, saved.content.decode()
    assert saved["Location"] == f"/signup/{campaign.pk}/consent/"
