"""Choosing a place, the confirmation, her bookings, cancelling and moving."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from scheduling.models import Appointment, AppointmentStatus, Slot
from screening.models import Campaign
from tests.pages.flow import booked_appointment, registered_woman, sign_in
from tests.scheduling.factories import SlotFactory, tomorrow_at
from tests.screening.factories import CampaignFactory

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
OTHER_PHONE = "13698765432"


@pytest.fixture
def her(client: Client, campaign: Campaign) -> Client:
    """A registered woman, signed in on her phone."""
    registered_woman(PHONE)
    sign_in(client, PHONE)
    return client


def day_of(slot: Slot) -> str:
    """The slot's calendar day at its site, as the picker's links carry it."""
    return f"{slot.starts_at.astimezone(ZoneInfo(slot.site.timezone)):%Y-%m-%d}"


def test_the_picker_goes_site_then_day_then_time_and_shows_full_times_disabled(
    her: Client, campaign: Campaign, slot: Slot, later_slot: Slot
) -> None:
    Slot.objects.filter(pk=later_slot.pk).update(booked=later_slot.capacity)

    sites = her.get(f"/book/{campaign.pk}/").content.decode()
    days = her.get(f"/book/{campaign.pk}/?site={slot.site_id}").content.decode()
    times = her.get(
        f"/book/{campaign.pk}/?site={slot.site_id}&day={day_of(slot)}"
    ).content.decode()

    assert slot.site.name in sites
    assert "尚有名额" in days
    assert re.search(rf'<input type="radio" name="slot" value="{slot.pk}">', times)
    assert re.search(
        rf'<input type="radio" name="slot" value="{later_slot.pk}" disabled>', times
    )
    assert "已满" in times


def test_a_tap_repeated_on_a_slow_network_books_once(
    her: Client, campaign: Campaign, slot: Slot
) -> None:
    form = {"slot": slot.pk, "idempotency_key": "same-tap"}

    first = her.post(f"/book/{campaign.pk}/", form)
    second = her.post(f"/book/{campaign.pk}/", form)

    appointment = Appointment.objects.get()
    assert (
        first["Location"]
        == second["Location"]
        == (f"/my/appointments/{appointment.pk}/")
    )
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_a_woman_with_a_booking_is_taken_to_it_instead_of_the_picker(
    client: Client, campaign: Campaign, slot: Slot
) -> None:
    appointment = booked_appointment(registered_woman(PHONE), slot)
    sign_in(client, PHONE)

    response = client.get(f"/book/{campaign.pk}/")

    assert response["Location"] == f"/my/appointments/{appointment.pk}/"


def test_a_full_time_says_so_and_books_nothing(
    her: Client, campaign: Campaign, slot: Slot
) -> None:
    Slot.objects.filter(pk=slot.pk).update(booked=slot.capacity)

    response = her.post(
        f"/book/{campaign.pk}/", {"slot": slot.pk, "site": slot.site_id}
    )

    assert response.status_code == 409
    assert "这个时段已约满" in response.content.decode()
    assert Appointment.objects.count() == 0


def test_when_the_funded_places_are_gone_she_sees_why_and_whom_to_call(
    client: Client,
) -> None:
    campaign = CampaignFactory(quota=1, contact_phone="0391-2223333")
    slot = SlotFactory(campaign=campaign)
    booked_appointment(registered_woman("13500000008"), slot)
    registered_woman(PHONE)
    sign_in(client, PHONE)

    page = client.get(f"/book/{campaign.pk}/").content.decode()

    assert "免费名额已全部约满" in page
    assert "0391-2223333" in page


def test_the_confirmation_has_the_reference_the_qr_code_and_what_to_do(
    client: Client, slot: Slot
) -> None:
    appointment = booked_appointment(registered_woman(PHONE), slot)
    sign_in(client, PHONE)

    page = client.get(f"/my/appointments/{appointment.pk}/").content.decode()

    assert f'<p class="ref" id="reference">{appointment.reference}</p>' in page
    assert f'<img class="qr" src="/my/appointments/{appointment.pk}/qr.svg"' in page
    assert "检查前48小时内请勿同房" in page
    assert "请穿上下分开的衣服,方便乳腺检查" in page
    assert f'action="/my/appointments/{appointment.pk}/cancel/"' in page
    assert f'action="/my/appointments/{appointment.pk}/reschedule/"' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_the_calendar_file_is_hers_to_download(client: Client, slot: Slot) -> None:
    appointment = booked_appointment(registered_woman(PHONE), slot)
    sign_in(client, PHONE)

    response = client.get(f"/my/appointments/{appointment.pk}/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content
    assert appointment.reference.encode() in response.content


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("get", "qr.svg"),
        ("get", "calendar.ics"),
        ("get", "cancel/"),
        ("post", "cancel/"),
        ("get", "reschedule/"),
        ("post", "reschedule/"),
    ],
)
def test_someone_elses_appointment_is_not_found(
    her: Client, slot: Slot, method: str, suffix: str
) -> None:
    theirs = booked_appointment(registered_woman(OTHER_PHONE), slot)

    response = getattr(her, method)(
        f"/my/appointments/{theirs.pk}/{suffix}", {"confirm": "on"}
    )

    assert response.status_code == 404
    assert Appointment.objects.get(pk=theirs.pk).status == AppointmentStatus.BOOKED


def test_an_appointment_is_not_found_for_someone_not_signed_in(
    client: Client, slot: Slot
) -> None:
    appointment = booked_appointment(registered_woman(OTHER_PHONE), slot)

    assert client.get(f"/my/appointments/{appointment.pk}/").status_code == 404
    assert client.get(f"/my/appointments/{appointment.pk}/qr.svg").status_code == 404


def test_cancelling_asks_first_and_then_gives_the_place_back(
    client: Client, slot: Slot
) -> None:
    appointment = booked_appointment(registered_woman(PHONE), slot)
    sign_in(client, PHONE)
    url = f"/my/appointments/{appointment.pk}/cancel/"

    asked = client.post(url, {"cancel": "1"})
    assert asked.status_code == 200
    assert "确定取消这个预约吗" in asked.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).status == (
        AppointmentStatus.BOOKED
    )

    done = client.post(url, {"confirm": "on"})

    assert done["Location"] == "/my/"
    assert Appointment.objects.get(pk=appointment.pk).status == (
        AppointmentStatus.CANCELLED
    )
    assert Slot.objects.get(pk=slot.pk).booked == 0
    assert "您的预约已取消" in client.get("/my/").content.decode()


def test_moving_a_booking_takes_the_new_time(
    client: Client, slot: Slot, later_slot: Slot
) -> None:
    appointment = booked_appointment(registered_woman(PHONE), slot)
    sign_in(client, PHONE)
    url = f"/my/appointments/{appointment.pk}/reschedule/"

    picker = client.get(f"{url}?site={slot.site_id}&day={day_of(slot)}")
    moved = client.post(url, {"slot": later_slot.pk})

    assert re.search(
        rf'<input type="radio" name="slot" value="{slot.pk}" disabled>',
        picker.content.decode(),
    )
    assert moved["Location"] == f"/my/appointments/{appointment.pk}/"
    assert Appointment.objects.get(pk=appointment.pk).slot_id == later_slot.pk
    assert Slot.objects.get(pk=slot.pk).booked == 0
    assert Slot.objects.get(pk=later_slot.pk).booked == 1


def test_moving_to_a_full_time_says_so_and_keeps_the_old_booking(
    client: Client, slot: Slot, later_slot: Slot
) -> None:
    appointment = booked_appointment(registered_woman(PHONE), slot)
    Slot.objects.filter(pk=later_slot.pk).update(booked=later_slot.capacity)
    sign_in(client, PHONE)

    response = client.post(
        f"/my/appointments/{appointment.pk}/reschedule/",
        {"slot": later_slot.pk, "site": slot.site_id, "day": day_of(slot)},
    )

    assert response.status_code == 409
    assert "您原来的预约没有变" in response.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).slot_id == slot.pk
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_a_past_visit_cannot_be_moved_or_cancelled(client: Client, slot: Slot) -> None:
    past = SlotFactory(
        campaign=slot.campaign,
        site=slot.site,
        starts_at=tomorrow_at(9) - timedelta(days=3),
        ends_at=tomorrow_at(10) - timedelta(days=3),
    )
    appointment = booked_appointment(registered_woman(PHONE), past)
    sign_in(client, PHONE)

    page = client.get(f"/my/appointments/{appointment.pk}/").content.decode()
    cancel = client.post(
        f"/my/appointments/{appointment.pk}/cancel/", {"confirm": "on"}
    )

    assert "/cancel/" not in page
    assert cancel.status_code == 302
    assert Appointment.objects.get(pk=appointment.pk).status == (
        AppointmentStatus.BOOKED
    )


def test_my_page_lists_her_bookings_only(client: Client, slot: Slot) -> None:
    mine = booked_appointment(registered_woman(PHONE), slot)
    theirs = booked_appointment(registered_woman(OTHER_PHONE), slot)
    sign_in(client, PHONE)

    page = client.get("/my/").content.decode()

    assert mine.reference in page
    assert theirs.reference not in page


def test_my_page_sends_a_stranger_to_sign_in(client: Client) -> None:
    assert client.get("/my/")["Location"] == "/signin/"
