"""The booking's slot read asks what recall_state asks, in its own statement
(scheduling.booking_statements): the two must agree on every record."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from scheduling.booking_statements import slot_for_booking
from screening.recall.eligibility import recall_state
from screening.recall.models import Cease, Deferral
from tests.scheduling.factories import ConsentedParticipantFactory, SlotFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
DAY = timedelta(days=1)


def _deferral(woman, *, ends_on: date, withdrawn: bool = False) -> None:
    Deferral.objects.create(
        participant=woman,
        reason="menses",
        months=6,
        starts_on=ends_on - 180 * DAY,
        ends_on=ends_on,
        created_at=timezone.now(),
        withdrawn_at=timezone.now() if withdrawn else None,
    )


def _cease(woman, *, scope: str, ends_on: date | None, withdrawn: bool = False):
    Cease.objects.create(
        participant=woman,
        reason="opted_out",
        scope=scope,
        ends_on=ends_on,
        created_at=timezone.now(),
        withdrawn_at=timezone.now() if withdrawn else None,
    )


RECORDS = {
    "nothing": lambda woman: None,
    "deferral ending tomorrow": lambda w: _deferral(w, ends_on=TODAY + DAY),
    "deferral ending today": lambda w: _deferral(w, ends_on=TODAY),
    "deferral withdrawn": lambda w: _deferral(w, ends_on=TODAY + DAY, withdrawn=True),
    "two deferrals, the later counts": lambda w: (
        _deferral(w, ends_on=TODAY + 30 * DAY),
        _deferral(w, ends_on=TODAY + 90 * DAY),
    ),
    "cease of all, for good": lambda w: _cease(w, scope="all", ends_on=None),
    "cease of all, until tomorrow": lambda w: _cease(
        w, scope="all", ends_on=TODAY + DAY
    ),
    "cease of all, ended today": lambda w: _cease(w, scope="all", ends_on=TODAY),
    "cease of all, withdrawn": lambda w: _cease(
        w, scope="all", ends_on=None, withdrawn=True
    ),
    "cease of the cervical test only": lambda w: _cease(
        w, scope="cervix", ends_on=None
    ),
}


@pytest.mark.parametrize("records", RECORDS.values(), ids=RECORDS.keys())
def test_the_booking_read_says_what_recall_state_says(records):
    woman, slot = ConsentedParticipantFactory(), SlotFactory()
    _other = ConsentedParticipantFactory()
    records(woman)
    # Another woman's records are never hers.
    _deferral(_other, ends_on=TODAY + 400 * DAY)
    _cease(_other, scope="all", ends_on=None)

    read = slot_for_booking(slot_id=slot.pk, participant_id=woman.pk, today=TODAY)

    assert read is not None
    assert (read.her_deferred_until, read.her_ceased) == recall_state(
        participant_id=woman.pk, today=TODAY
    )
