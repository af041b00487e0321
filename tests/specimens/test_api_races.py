"""Two nurses sending the same tube through the API at once: one 201 and one
409, never a 500, and one tube."""

import threading

import pytest
from django.db import connection

from specimens.models import Specimen
from tests.scheduling.desk_support import clinic_user, token_client
from tests.scheduling.factories import SiteFactory
from tests.screening.result_factories import VisitFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _post_at_once(clients, body) -> list[int]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(len(clients))
    codes = [0] * len(clients)

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            response = clients[index].post(
                "/api/v1/clinic/specimens/", body, format="json"
            )
            codes[index] = response.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return codes


@pytest.mark.parametrize("round_", range(3))
def test_two_nurses_posting_her_hpv_tube_at_once_get_201_and_409(round_):
    site = SiteFactory()
    visit = VisitFactory(site_id=site.pk)
    clients = [token_client(clinic_user(site)) for _ in range(2)]

    codes = _post_at_once(clients, {"appointment": visit.appointment_id, "kind": "hpv"})

    assert sorted(codes) == [201, 409]
    assert Specimen.objects.filter(visit=visit, kind="hpv").count() == 1
