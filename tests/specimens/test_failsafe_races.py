"""Two sweeps at once, or two nurses closing one item at once, do each thing
once: the conditional updates on the item decide, on real PostgreSQL."""

import threading

import pytest
import time_machine
from django.db import connection

from notifications.models import Notification
from specimens.failsafe.errors import AlreadyClosed
from specimens.failsafe.services import failsafe_item_close, failsafe_sweep
from specimens.failsafe_models import FailsafeItem, Recall
from tests.specimens.failsafe_support import (  # noqa: F401 (a fixture)
    DAY,
    T0,
    no_broker,
    tubes_taken_at,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_broker"),
]


def _at_once(work, n: int = 2) -> list[object]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(n)
    outcomes: list[object] = []

    def run() -> None:
        barrier.wait()
        try:
            outcomes.append(work())
        except AlreadyClosed as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_sweeps_at_once_recall_each_lost_tube_once():
    tubes_taken_at(T0)

    with time_machine.travel(T0 + 29 * DAY, tick=False):
        _at_once(failsafe_sweep)

    assert FailsafeItem.objects.count() == 2
    assert Recall.objects.count() == 2
    assert Notification.objects.filter(kind="recollection").count() == 2


def test_two_nurses_closing_one_item_at_once_close_it_once():
    hpv, _cytology = tubes_taken_at(T0)
    with time_machine.travel(T0 + 15 * DAY, tick=False):
        failsafe_sweep()
    item = FailsafeItem.objects.get(specimen=hpv)

    outcomes = _at_once(
        lambda: failsafe_item_close(
            item_id=item.pk, reason="recalled", by=None, site_ids=None
        )
    )

    assert sorted(type(o).__name__ for o in outcomes) == [
        "AlreadyClosed",
        "FailsafeItem",
    ]
    assert Recall.objects.filter(item=item).count() == 1
