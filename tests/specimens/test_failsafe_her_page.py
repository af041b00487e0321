"""No news is never good news: her result page says a test whose tube has no
result is not back yet (and being chased once it is overdue), never normal."""

import re

import pytest
import time_machine
from django.utils import translation

from screening.services import summary_compute
from specimens.failsafe.services import failsafe_sweep
from tests.privacy.support import sign_in_page
from tests.screening.result_factories import VisitFactory, record
from tests.specimens.failsafe_support import (  # noqa: F401 (a fixture)
    DAY,
    T0,
    no_broker,
    tubes_taken_at,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_broker")]
NORMAL = "No abnormality found"


def _page(client, visit) -> str:  # type: ignore[no-untyped-def]
    sign_in_page(client, visit.participant)
    with translation.override("en"):
        return client.get("/my/results/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def _organ(page: str, organ: str) -> str:
    match = re.search(rf'data-organ="{organ}">(.*?)</div>', page, re.S)
    assert match, page
    return match.group(1)


def test_a_cervix_whose_hpv_tube_is_still_out_never_reads_normal(client):
    visit = VisitFactory()
    tubes_taken_at(T0, visit)
    record(visit, cytology="NILM", breast_ultrasound="BIRADS_1")
    summary_compute(visit_id=visit.pk)

    with time_machine.travel(T0 + 3 * DAY, tick=False):
        page = _page(client, visit)

    assert "Not back from the lab yet: hrHPV test." in page
    assert 'data-pending="waiting"' in page
    assert NORMAL not in _organ(page, "cervix")
    assert "Cervical cytology" not in page.split("Not back from the lab yet")[1][:40]


def test_a_visit_with_nothing_back_and_an_overdue_tube_says_it_is_being_chased(
    client,
):
    visit = VisitFactory()
    tubes_taken_at(T0, visit)

    with time_machine.travel(T0 + 20 * DAY, tick=False):
        failsafe_sweep()
        page = _page(client, visit)

    assert 'data-pending="chased"' in page
    assert "The clinic is chasing it with the lab" in page
    assert "Not back from the lab yet: Cervical cytology, hrHPV test." in page
    assert NORMAL not in page


def test_once_every_result_is_back_the_page_says_nothing_is_pending(client):
    visit = VisitFactory()
    tubes_taken_at(T0, visit)
    record(visit, hpv="HPV_NEG", cytology="NILM")
    summary_compute(visit_id=visit.pk)

    with time_machine.travel(T0 + 20 * DAY, tick=False):
        failsafe_sweep()
        page = _page(client, visit)

    assert "data-pending" not in page
    assert NORMAL in page
