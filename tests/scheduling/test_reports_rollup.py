"""The trigger-kept rollup under real concurrency: bookings, cancellations and
folds racing on PostgreSQL connections end with the same counts as a recount."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from scheduling.models import Appointment, AppointmentStatus
from scheduling.reports import rollup
from scheduling.reports.turnout import GROUP_BYS, turnout_counts
from tests.scheduling.factories import AppointmentFactory, SlotFactory
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

    for group_by in (None, *GROUP_BYS):
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
    assert kept.table.total["booked"] + kept.table.total["cancelled"] == 40
