"""The failsafe worklist through its pages and API: her own sites only, each
item closed only with a reason that holds, and the digest written once a day."""

import pytest
import time_machine
from django.urls import reverse

from common.models import AuditEvent
from notifications.models import Notification
from specimens.failsafe.digest import failsafe_digest_send
from specimens.failsafe.services import failsafe_sweep
from specimens.failsafe.tasks import failsafe_digest_task
from specimens.failsafe_models import FailsafeItem, FailsafePolicy, Recall
from specimens.services import specimen_reject, specimen_step
from tests.scheduling.factories import SiteFactory
from tests.screening.result_factories import VisitFactory, staff_user
from tests.specimens.failsafe_support import (  # noqa: F401 (a fixture)
    DAY,
    T0,
    no_broker,
    tubes_taken_at,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_broker")]


@pytest.fixture
def site():  # type: ignore[no-untyped-def]
    return SiteFactory(name="市妇幼保健院")


@pytest.fixture
def nurse(site):  # type: ignore[no-untyped-def]
    user = staff_user("nurse_1")
    site.staff.add(user)
    return user


@pytest.fixture
def overdue(site):  # type: ignore[no-untyped-def]
    """Her two tubes, 22 days old at the clock the test stands on."""
    tubes = tubes_taken_at(T0, VisitFactory(site_id=site.pk, site_name=site.name))
    with time_machine.travel(T0 + 22 * DAY, tick=False):
        failsafe_sweep()
    return tubes


@pytest.fixture
def at_day_22():  # type: ignore[no-untyped-def]
    with time_machine.travel(T0 + 22 * DAY, tick=False):
        yield


def _item(tube) -> FailsafeItem:  # type: ignore[no-untyped-def]
    return FailsafeItem.objects.get(specimen=tube)


@pytest.mark.usefixtures("at_day_22")
def test_the_desk_sees_its_overdue_tubes_by_tier_with_their_age(client, nurse, overdue):
    client.force_login(nurse)

    page = client.get(reverse("failsafe-worklist")).content.decode()

    assert all(tube.barcode in page for tube in overdue)
    assert 'data-tier="2"' in page
    assert ">22<" in page
    assert overdue[0].visit.participant.full_name not in page


@pytest.mark.usefixtures("at_day_22")
def test_another_sites_nurse_sees_none_of_them_and_cannot_close_one(client, overdue):
    other = staff_user("nurse_2")
    SiteFactory().staff.add(other)
    client.force_login(other)
    item = _item(overdue[0])

    page = client.get(reverse("failsafe-worklist")).content.decode()
    response = client.post(
        reverse("failsafe-close", args=[item.pk]), {"reason": "recalled"}
    )

    assert overdue[0].barcode not in page
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.closed_at is None


@pytest.mark.usefixtures("at_day_22")
def test_an_item_cannot_be_closed_without_a_reason(client, nurse, overdue):
    client.force_login(nurse)
    item = _item(overdue[0])

    response = client.post(reverse("failsafe-close", args=[item.pk]), {"reason": ""})

    assert response.status_code == 400
    assert 'data-code="close_reason_invalid"' in response.content.decode()
    item.refresh_from_db()
    assert item.closed_at is None


@pytest.mark.usefixtures("at_day_22")
def test_resulted_is_refused_while_no_result_is_recorded(client, nurse, overdue):
    client.force_login(nurse)
    item = _item(overdue[0])

    refused = client.post(
        reverse("failsafe-close", args=[item.pk]), {"reason": "resulted"}
    )
    specimen_step(specimen_id=overdue[0].pk, to="resulted", by=None, site_ids=None)
    accepted = client.post(
        reverse("failsafe-close", args=[item.pk]), {"reason": "resulted"}
    )

    assert refused.status_code == 409
    assert accepted.status_code == 302
    item.refresh_from_db()
    assert item.close_reason == "resulted"
    assert item.closed_by == nurse


@pytest.mark.usefixtures("at_day_22")
def test_recollected_needs_a_new_sample_of_that_kind_from_her(client, nurse, overdue):
    client.force_login(nurse)
    hpv = overdue[0]
    item = _item(hpv)

    refused = client.post(
        reverse("failsafe-close", args=[item.pk]), {"reason": "recollected"}
    )
    later_visit = VisitFactory(
        participant=hpv.visit.participant, site_id=hpv.visit.site_id
    )
    tubes_taken_at(T0 + 21 * DAY, later_visit)
    accepted = client.post(
        reverse("failsafe-close", args=[item.pk]), {"reason": "recollected"}
    )

    assert refused.status_code == 409
    assert accepted.status_code == 302
    assert _item(hpv).close_reason == "recollected"


@pytest.mark.usefixtures("at_day_22")
def test_closing_as_recalled_opens_her_recall_and_asks_her_back_once(
    client, nurse, overdue
):
    client.force_login(nurse)
    item = _item(overdue[0])

    client.post(reverse("failsafe-close", args=[item.pk]), {"reason": "recalled"})
    again = client.post(
        reverse("failsafe-close", args=[item.pk]), {"reason": "recalled"}
    )

    assert again.status_code == 409
    assert Recall.objects.filter(item=item).count() == 1
    assert Notification.objects.filter(kind="recollection").count() == 1
    assert AuditEvent.objects.filter(action="specimen.failsafe_closed").count() == 1
    page = client.get(reverse("failsafe-worklist")).content.decode()
    assert overdue[0].barcode not in page
    assert overdue[1].barcode in page


def test_a_rejected_tube_leaves_the_list_as_recollected(overdue):
    specimen_reject(specimen_id=overdue[0].pk, reason="leaked", by=None, site_ids=None)

    with time_machine.travel(T0 + 23 * DAY, tick=False):
        failsafe_sweep()

    assert _item(overdue[0]).close_reason == "recollected"


@pytest.mark.usefixtures("at_day_22")
def test_the_api_lists_her_sites_items_and_closes_one_with_a_reason(
    client, nurse, overdue
):
    client.force_login(nurse)
    item = _item(overdue[0])

    listing = client.get("/api/v1/clinic/failsafe/?tier=escalate").json()
    bad = client.post(
        f"/api/v1/clinic/failsafe/{item.pk}/close/",
        {"reason": "lost in the post"},
        content_type="application/json",
    )
    closed = client.post(
        f"/api/v1/clinic/failsafe/{item.pk}/close/",
        {"reason": "recalled"},
        content_type="application/json",
    )

    assert listing["counts"] == {"remind": 0, "escalate": 2, "lost": 0}
    assert {row["barcode"] for row in listing["results"]} == {
        t.barcode for t in overdue
    }
    assert bad.status_code == 400
    assert bad.json()["code"] == "close_reason_invalid"
    assert closed.status_code == 200
    assert closed.json()["reason"] == "recalled"


def test_a_bad_tier_or_page_in_the_api_is_a_400_with_a_code(client, nurse):
    client.force_login(nurse)

    response = client.get("/api/v1/clinic/failsafe/?tier=worst&page=x")

    assert response.status_code == 400
    assert response.json()["code"] == "query_invalid"


@pytest.mark.parametrize("role", ["union", "anonymous"])
def test_union_staff_and_strangers_get_no_worklist(client, role):
    if role == "union":
        client.force_login(staff_user("union_1", role="union"))

    page = client.get(reverse("failsafe-worklist"))
    api = client.get("/api/v1/clinic/failsafe/")
    digest = client.get("/api/v1/clinic/failsafe/digest/")

    assert page.status_code in (302, 403)
    assert api.status_code in (401, 403)
    assert digest.status_code in (401, 403)


@pytest.mark.usefixtures("at_day_22")
def test_the_digest_page_and_api_count_her_sites_open_items(client, nurse, overdue):
    client.force_login(nurse)

    page = client.get(reverse("failsafe-digest"))
    api = client.get("/api/v1/clinic/failsafe/digest/").json()

    assert page.status_code == 200
    assert api["sites"] == [
        {
            "site": overdue[0].visit.site_id,
            "site_name": "市妇幼保健院",
            "remind": 0,
            "escalate": 2,
            "lost": 0,
            "new_today": 2,
        }
    ]


def test_the_digest_goes_to_the_clinic_lead_once_a_day_however_often_it_runs(
    overdue,
):
    FailsafePolicy.objects.create(
        campaign=overdue[0].visit.campaign, digest_phone="13900001234"
    )
    with time_machine.travel(T0 + 22 * DAY, tick=False):
        failsafe_digest_task()
        failsafe_digest_task()
    with time_machine.travel(T0 + 23 * DAY, tick=False):
        failsafe_digest_send()

    digests = Notification.objects.filter(kind="failsafe_digest").order_by("id")
    assert digests.count() == 2
    assert digests[0].context == {
        "day": "2026-03-24",
        "remind": "0",
        "escalate": "2",
        "lost": "0",
    }
    assert digests[0].recipient_phone == "13900001234"


def test_no_digest_is_written_for_a_campaign_without_a_lead_phone(overdue):
    with time_machine.travel(T0 + 22 * DAY, tick=False):
        written = failsafe_digest_send()

    assert written == []


@pytest.mark.usefixtures("at_day_22")
def test_the_worklist_page_reads_the_same_few_statements_however_long_the_list(
    client, nurse, overdue, django_assert_max_num_queries
):
    client.force_login(nurse)
    client.get(reverse("failsafe-worklist"))
    more = [VisitFactory(site_id=overdue[0].visit.site_id) for _ in range(5)]
    for visit in more:
        tubes_taken_at(T0, visit)
    failsafe_sweep()

    # Session, user, her sites, the page of items, their tubes, the counts.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("failsafe-worklist"))

    assert response.content.decode().count("data-item=") == 12
