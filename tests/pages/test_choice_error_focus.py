"""A refused choice of time lands her on the error, not at the top of the page."""

import re

import pytest
from django.test import Client

from scheduling.models import Slot
from screening.models import Campaign
from tests.pages.flow import booked_appointment, registered_woman, sign_in
from tests.pages.test_booking_pages import day_of

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
FOCUSED_ERROR = re.compile(
    r'<div class="alert" role="alert" id="choice-error" tabindex="-1" autofocus>'
)


def test_booking_without_a_time_lands_on_the_error_beside_the_times(
    client: Client, campaign: Campaign, slot: Slot
) -> None:
    registered_woman(PHONE)
    sign_in(client, PHONE)

    refused = client.post(
        f"/book/{campaign.pk}/", {"site": slot.site_id, "day": day_of(slot)}
    )

    page = refused.content.decode()
    assert refused.status_code == 400
    assert len(FOCUSED_ERROR.findall(page)) == 1
    assert page.index('id="choice-error"') > page.index('id="time"')
    assert "请先选择一个时间" in page
    assert f'action="/book/{campaign.pk}/#choice-error"' in page


def test_moving_without_a_time_lands_on_the_error_too(
    client: Client, campaign: Campaign, slot: Slot, later_slot: Slot
) -> None:
    appointment = booked_appointment(registered_woman(PHONE), slot)
    sign_in(client, PHONE)

    refused = client.post(
        f"/my/appointments/{appointment.pk}/reschedule/",
        {"site": slot.site_id, "day": day_of(slot)},
    )

    assert refused.status_code == 400
    assert len(FOCUSED_ERROR.findall(refused.content.decode())) == 1


def test_an_untouched_picker_focuses_nothing(
    client: Client, campaign: Campaign, slot: Slot
) -> None:
    registered_woman(PHONE)
    sign_in(client, PHONE)

    page = client.get(
        f"/book/{campaign.pk}/", {"site": slot.site_id, "day": day_of(slot)}
    ).content.decode()

    assert "autofocus" not in page
