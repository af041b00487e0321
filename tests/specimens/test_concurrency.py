"""Two nurses at once, each on her own thread and PostgreSQL connection."""

import threading

import pytest
from django.db import connection

from common.errors import ApplicationError
from specimens.models import Specimen
from specimens.services import specimen_create, specimens_collect
from tests.screening.result_factories import VisitFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _at_once(call, times: int = 2) -> list:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(times)
    results: list = [None] * times

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except ApplicationError as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("round_", range(5))
def test_two_nurses_creating_her_hpv_tube_at_once_get_one_tube(round_):
    visit = VisitFactory()
    results = _at_once(
        lambda: specimen_create(visit_id=visit.pk, kind="hpv", by=None, site_ids=None)
    )
    made = [r for r in results if isinstance(r, Specimen)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(made) == 1
    assert [e.code for e in refused] == ["already_collected"]
    assert Specimen.objects.filter(visit=visit, kind="hpv").count() == 1


def test_two_desks_pressing_the_sampling_step_at_once_share_the_same_tubes():
    visit = VisitFactory()
    first, second = _at_once(
        lambda: specimens_collect(visit_id=visit.pk, by=None, site_ids=None)
    )
    assert sorted(s.pk for s in first) == sorted(s.pk for s in second)
    assert Specimen.objects.filter(visit=visit).count() == 2
