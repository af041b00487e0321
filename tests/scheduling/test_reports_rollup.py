"""The trigger-kept rollup under real concurrency: bookings, cancellations and
folds racing on PostgreSQL connections end with the same counts as a recount."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.db.models.expressions import RawSQL

from indicators.models import FactDirty
from scheduling.models import Appointment, AppointmentStatus, Slot
from scheduling.reports import rollup
from scheduling.reports.groups import group_expression
from scheduling.reports.turnout import GROUP_BYS, turnout_counts
from screening.models import Campaign, Participant
from tests.scheduling.factories import AppointmentFactory, SiteFactory, SlotFactory
from tests.screening.factories import CampaignFactory, ParticipantFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_reports_read_the_rollup_on_postgresql() -> None:
    assert rollup.rollup_available()


def test_bookings_cancellations_and_folds_racing_leave_exact_counts() -> None:
    campaign = CampaignFactory()
    slots = [SlotFactory(campaign=campaign, capacity=100) for _ in range(3)]
    people = [ParticipantFactory() for _ in range(40)]
    start = threading.Barrier(5)

    def book(first: int) -> None:
        try:
            start.wait(timeout=30)
            for n, person in enumerate(people[first::4]):
                with transaction.atomic():
                    appointment = AppointmentFactory(
                        participant=person, slot=slots[n % 3]
                    )
                    if n % 3 == 0:
                        Appointment.objects.filter(pk=appointment.pk).update(
                            status=AppointmentStatus.CANCELLED
                        )
        finally:
            connection.close()

    def fold_repeatedly() -> None:
        try:
            start.wait(timeout=30)
            for _ in range(20):
                with transaction.atomic():
                    rollup.fold(campaign_id=campaign.pk)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=5) as pool:
        futures = [pool.submit(book, i) for i in range(4)]
        futures.append(pool.submit(fold_repeatedly))
        for future in futures:
            future.result()

    kept = _kept_matches_recount(campaign)
    assert kept.table.total["booked"] + kept.table.total["cancelled"] == 40


def _delta_rows(campaign_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {rollup.TABLE} WHERE campaign_id = %s",  # noqa: S608 - a fixed name
            [campaign_id],
        )
        return cursor.fetchone()[0]


def _kept_matches_recount(campaign: Campaign) -> Any:
    """The rollup's counts against a recount, by every breakdown; the last kept."""
    for group_by in (*GROUP_BYS, None):
        kept = turnout_counts(
            campaign=campaign, group_by=group_by, date_from=None, date_to=None
        )
        recounted = turnout_counts(
            campaign=campaign,
            group_by=group_by,
            date_from=None,
            date_to=None,
            use_rollup=False,
        )
        assert kept.table == recounted.table, group_by
        assert kept.series == recounted.series, group_by
    return kept


def test_a_booking_rewriting_its_slots_and_campaigns_counters_writes_no_rollup_row():
    campaign = CampaignFactory()
    slot = SlotFactory(campaign=campaign)
    AppointmentFactory(slot=slot)
    rows, dirty = _delta_rows(campaign.pk), FactDirty.objects.count()
    Slot.objects.filter(pk=slot.pk).update(booked=F("booked") + 1)
    Campaign.objects.filter(pk=campaign.pk).update(places_taken=F("places_taken") + 1)
    # Saved whole, as the admin saves them: every column rewritten, none changed.
    Slot.objects.get(pk=slot.pk).save()
    Campaign.objects.get(pk=campaign.pk).save()
    assert (_delta_rows(campaign.pk), FactDirty.objects.count()) == (rows, dirty)


def test_a_moved_slot_and_changed_ages_are_still_counted_afresh():
    campaign = CampaignFactory()
    slot = SlotFactory(campaign=campaign)
    for born in (date(1960, 5, 1), date(1975, 1, 31), date(1990, 12, 31)):
        AppointmentFactory(slot=slot, participant=ParticipantFactory(birth_date=born))
    dirty = FactDirty.objects.count()
    Slot.objects.filter(pk=slot.pk).update(
        site=SiteFactory(),
        starts_at=slot.starts_at + timedelta(days=1),
        ends_at=slot.ends_at + timedelta(days=1),
    )
    # The facts note the three women whose slot moved.
    assert FactDirty.objects.count() == dirty + 3
    _kept_matches_recount(campaign)
    Campaign.objects.filter(pk=campaign.pk).update(min_age=40, max_age=60)
    _kept_matches_recount(Campaign.objects.get(pk=campaign.pk))


@pytest.mark.parametrize(
    "ref", [date(2026, 3, 1), date(2028, 2, 29), date(2027, 2, 28)], ids=str
)
def test_the_age_band_postgresql_counts_by_is_the_reports_own(ref: date) -> None:
    # Birthdays on the day, the day before and after, and the 29th of February.
    births = [
        date(ref.year - years, month, day)
        for years in (34, 35, 39, 40, 64, 65, 66)
        for month, day in ((ref.month, 28), (2, 29), (3, 1), (12, 31))
        if (month, day) != (2, 29) or (ref.year - years) % 4 == 0
    ]
    births += [ref.replace(year=ref.year - 44) - timedelta(days=d) for d in (-1, 0, 1)]
    campaign = CampaignFactory(age_reference_date=ref, min_age=35, max_age=64)
    for born in births:
        ParticipantFactory(birth_date=born)
    people = Participant.objects.filter(birth_date__in=births).annotate(
        python=group_expression("age_band", campaign, person=""),
        sql=RawSQL(
            "scheduling_age_band(birth_date, %s, %s, %s)",
            [ref, campaign.min_age, campaign.max_age],
        ),
    )
    pairs = {(p.birth_date, p.python, p.sql) for p in people}
    assert len(pairs) == len(set(births))
    assert all(python == sql for _, python, sql in pairs), sorted(pairs)
