"""Her data page and the copy she downloads speak local time and plain words."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from common.audit import audit_record
from screening.audit_words import RECORD_WORDS, action_words
from screening.local_times import readable
from screening.models import Participant
from tests.accounts.factories import UserFactory
from tests.privacy.support import sign_in_page
from tests.scheduling.factories import (
    AppointmentFactory,
    ConsentedParticipantFactory,
    SlotFactory,
    tomorrow_at,
)

pytestmark = pytest.mark.django_db

DATA = "/my/data/"
DOWNLOAD = "/my/data.json"


@pytest.fixture
def her() -> Participant:
    return ConsentedParticipantFactory(full_name="李秀英")


def _visit_at_four(her: Participant):  # type: ignore[no-untyped-def]
    starts = tomorrow_at(16)
    slot = SlotFactory(starts_at=starts, ends_at=starts + timedelta(hours=1))
    return AppointmentFactory(participant=her, slot=slot)


def test_a_four_oclock_visit_reads_four_oclock_in_the_pages_date_format(
    client: Client, her: Participant
) -> None:
    appointment = _visit_at_four(her)
    sign_in_page(client, her)

    page = client.get(DATA).content.decode()

    day = timezone.localdate(appointment.slot.starts_at)
    expected = f"{day.year}年{day.month}月{day.day}日 16:00"
    assert expected in page
    assert "+00:00" not in page
    assert "+08:00" not in page
    assert not re.search(r"\d{4}-\d{2}-\d{2}T", page)


def test_the_download_gives_local_times_and_states_the_zone(
    client: Client, her: Participant
) -> None:
    _visit_at_four(her)
    sign_in_page(client, her)

    data = json.loads(client.get(DOWNLOAD).content)

    assert data["time_zone"] == "Asia/Shanghai"
    assert data["appointments"][0]["starts_at"].endswith("T16:00:00+08:00")
    assert data["appointments"][0]["time_zone"] == "Asia/Shanghai"
    assert data["generated_at"].endswith("+08:00")
    assert all(c["given_at"].endswith("+08:00") for c in data["consents"])
    assert "+00:00" not in json.dumps(data)


def test_staff_events_on_her_page_are_words_not_codes(
    client: Client, her: Participant
) -> None:
    appointment = _visit_at_four(her)
    audit_record(
        actor=UserFactory(username="nurse_wang"),
        action="appointment.checkin",
        obj_type="appointment",
        obj_id=appointment.pk,
    )
    sign_in_page(client, her)

    page = client.get(DATA).content.decode()

    assert "nurse_wang" in page
    assert "appointment.checkin" not in page
    assert "在筛查点为您签到" in page


def test_an_event_the_list_does_not_know_still_reads_as_words() -> None:
    assert action_words("appointment.phone_revealed", "appointment") == str(
        RECORD_WORDS["appointment"]
    )
    assert action_words("visit.viewed", "visit") == "查看了您的记录"
    assert "." not in action_words("something.new", "")


@pytest.mark.parametrize("value", ["", None, "not a time"])
def test_odd_values_never_break_the_page(value: str | None) -> None:
    assert readable(value) == (value or "")
