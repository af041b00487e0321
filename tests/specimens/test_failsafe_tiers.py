"""The failsafe's tiers with the clock moved: a tube with no result goes on the
list at the campaign's first limit, moves up at each next one, and a lost one
recalls her once, however often the sweep runs."""

from datetime import datetime

import pytest
import time_machine

from notifications.models import Notification
from specimens.failsafe.selectors import failsafe_counts, failsafe_worklist
from specimens.failsafe.services import failsafe_sweep
from specimens.failsafe_models import FailsafeItem, FailsafePolicy, Recall, Tier
from specimens.services import specimen_step
from tests.specimens.failsafe_support import (  # noqa: F401 (a fixture)
    DAY,
    SECOND,
    T0,
    no_broker,
    tubes_taken_at,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_broker")]


def _tier_at(moment: datetime) -> int | None:
    with time_machine.travel(moment, tick=False):
        failsafe_sweep()
        rows = failsafe_worklist(site_ids=None)
    tiers = {row.tier for row in rows}
    assert len(tiers) <= 1
    return tiers.pop() if tiers else None


@pytest.mark.parametrize(
    ("age", "tier"),
    [
        (14 * DAY - SECOND, None),
        (14 * DAY, Tier.REMIND),
        (21 * DAY - SECOND, Tier.REMIND),
        (21 * DAY, Tier.ESCALATE),
        (28 * DAY - SECOND, Tier.ESCALATE),
        (28 * DAY, Tier.LOST),
    ],
    ids=["13d23h59m59s", "14d", "20d23h59m59s", "21d", "27d23h59m59s", "28d"],
)
def test_a_tube_without_a_result_stands_on_the_tier_its_age_has_reached(age, tier):
    tubes_taken_at(T0)

    assert _tier_at(T0 + age) == tier


def test_a_tube_climbs_every_tier_as_the_days_pass_and_keeps_its_item():
    tubes_taken_at(T0)

    seen = [_tier_at(T0 + days * DAY) for days in (13, 14, 20, 21, 27, 28, 40)]

    assert seen == [None, 1, 1, 2, 2, 3, 3]
    assert FailsafeItem.objects.count() == 2  # hrHPV and cytology, one item each


def test_the_campaigns_own_limits_move_the_boundaries():
    hpv, _cytology = tubes_taken_at(T0)
    FailsafePolicy.objects.create(
        campaign=hpv.visit.campaign, remind_days=7, escalate_days=10, lost_days=12
    )

    assert _tier_at(T0 + 7 * DAY - SECOND) is None
    assert _tier_at(T0 + 7 * DAY) == Tier.REMIND
    assert _tier_at(T0 + 10 * DAY) == Tier.ESCALATE
    assert _tier_at(T0 + 12 * DAY) == Tier.LOST


def test_a_sweep_missed_for_weeks_puts_a_lost_tube_straight_on_the_lost_tier():
    tubes_taken_at(T0)

    assert _tier_at(T0 + 60 * DAY) == Tier.LOST
    assert Recall.objects.count() == 2


def test_a_lost_tube_recalls_her_once_with_a_neutral_message_however_often_swept():
    hpv, _cytology = tubes_taken_at(T0)
    for _run in range(3):
        _tier_at(T0 + 28 * DAY)

    recalls = Recall.objects.filter(item__specimen=hpv)
    messages = Notification.objects.filter(dedupe_key=f"specimen-lost:{hpv.pk}")
    assert recalls.count() == 1
    assert recalls.get().participant_id == hpv.visit.participant_id
    assert messages.count() == 1
    assert messages.get().kind == "recollection"


def test_a_resulted_tube_never_goes_on_the_list():
    hpv, cytology = tubes_taken_at(T0)
    with time_machine.travel(T0 + 5 * DAY, tick=False):
        specimen_step(specimen_id=hpv.pk, to="resulted", by=None, site_ids=None)

    with time_machine.travel(T0 + 30 * DAY, tick=False):
        failsafe_sweep()

    assert list(FailsafeItem.objects.values_list("specimen_id", flat=True)) == [
        cytology.pk
    ]


def test_an_item_whose_result_comes_late_closes_as_resulted_at_the_next_sweep():
    hpv, _cytology = tubes_taken_at(T0)
    _tier_at(T0 + 15 * DAY)
    with time_machine.travel(T0 + 16 * DAY, tick=False):
        specimen_step(specimen_id=hpv.pk, to="resulted", by=None, site_ids=None)
        failsafe_sweep()

    item = FailsafeItem.objects.get(specimen=hpv)
    assert item.close_reason == "resulted"
    assert item.closed_at is not None


def test_the_worklist_is_scoped_to_her_sites_and_counts_each_tier():
    tubes_taken_at(T0)
    with time_machine.travel(T0 + 22 * DAY, tick=False):
        failsafe_sweep()

        assert failsafe_counts(site_ids=[1]) == {1: 0, 2: 2, 3: 0}
        assert failsafe_counts(site_ids=[2]) == {1: 0, 2: 0, 3: 0}
        assert failsafe_worklist(site_ids=[2]) == []
        assert [row.age_days for row in failsafe_worklist(site_ids=[1])] == [22, 22]
