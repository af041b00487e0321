"""Her waitlist on the phone, without JavaScript: join, see the held place, claim."""

import pytest
from django.test import Client

from scheduling.services import appointment_cancel
from scheduling.waitlist.models import EntryStatus, WaitlistEntry
from tests.pages.flow import registered_woman, sign_in
from tests.waitlist.support import day_after_tomorrow_at, full_slot

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _no_fill_task(monkeypatch):
    monkeypatch.setattr(
        "scheduling.waitlist.offers._fill_later", lambda _campaign_id: None
    )


def test_a_full_day_in_the_picker_offers_the_waitlist(client: Client):
    slot, _ = full_slot(capacity=1)
    registered_woman(PHONE)
    sign_in(client, PHONE)

    page = client.get(f"/book/{slot.campaign_id}/?site={slot.site_id}")

    assert "加入候补" in page.content.decode()


def test_she_joins_then_claims_the_place_held_for_her(client: Client):
    slot, booked = full_slot(capacity=1)
    woman = registered_woman(PHONE)
    sign_in(client, PHONE)
    day = day_after_tomorrow_at(15).date().isoformat()

    joined = client.post(
        "/my/waitlist/join/",
        {"campaign": slot.campaign_id, "site": slot.site_id, "day": day},
    )
    entry = WaitlistEntry.objects.get(participant=woman)
    appointment_cancel(appointment=booked[0])
    mine = client.get("/my/waitlist/").content.decode()
    claimed = client.post(f"/my/waitlist/{entry.pk}/claim/")

    assert joined.status_code == 302
    assert "已为您保留" in mine
    assert claimed.status_code == 302
    assert claimed["Location"].startswith("/my/appointments/")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.BOOKED


def test_joining_without_a_day_chosen_says_so(client: Client):
    slot, _ = full_slot(capacity=1)
    registered_woman(PHONE)
    sign_in(client, PHONE)

    answer = client.post(
        "/my/waitlist/join/",
        {"campaign": slot.campaign_id, "site": slot.site_id},
        follow=True,
    )

    assert "请选择" in answer.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_the_waitlist_page_sends_a_stranger_to_sign_in(client: Client):
    answer = client.get("/my/waitlist/")
    assert answer.status_code == 302
    assert "/signin/" in answer["Location"]
