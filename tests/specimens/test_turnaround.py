"""Turnaround from collection to result: exact p50/p90 and shares on the desk;
for the union, counts that are multiples of the base, small groups hidden, and
no percentile where the counts are hidden."""

from datetime import timedelta

import pytest
import time_machine

from common.suppression import OUTCOME_THRESHOLD, TOTAL
from specimens.failsafe.turnaround import (
    percentile,
    turnaround_exact,
    turnaround_for_union,
)
from specimens.models import Specimen
from specimens.services import specimen_step
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import CampaignFactory
from tests.screening.result_factories import VisitFactory, staff_user
from tests.specimens.failsafe_support import (  # noqa: F401 (a fixture)
    DAY,
    T0,
    no_broker,
    tubes_taken_at,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_broker")]


def _women(n: int, *, days_to_result: list[int | None], **visit: object) -> None:
    """n women's tubes taken at T0; the i-th hrHPV tube resulted after
    days_to_result[i % len] days (None: still out); cytology never."""
    for i in range(n):
        hpv, _cytology = tubes_taken_at(T0, VisitFactory(**visit))
        days = days_to_result[i % len(days_to_result)]
        if days is not None:
            with time_machine.travel(T0 + days * DAY, tick=False):
                specimen_step(specimen_id=hpv.pk, to="resulted", by=None, site_ids=None)


def _hpv(rows):  # type: ignore[no-untyped-def]
    return next(r for r in rows if r.kind == "hpv")


def test_percentiles_interpolate_between_ranks_like_percentile_cont():
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([10.0], 0.9) == 10.0
    assert percentile([], 0.5) is None


def test_the_desk_sees_exact_percentiles_and_shares_counting_tubes_still_out():
    _women(4, days_to_result=[3, 10, 20, None])

    hpv = _hpv(turnaround_exact(site_ids=None, start=T0.date(), end=T0.date()))

    assert (hpv.tubes, hpv.resulted) == (4, 3)
    assert hpv.p50_days == 10
    assert hpv.p90_days == pytest.approx(18)
    assert (hpv.within_14, hpv.within_28) == (2, 3)
    assert hpv.share_14 == 0.5


def test_the_desk_sees_only_its_own_sites_and_the_chosen_days():
    _women(2, days_to_result=[3], site_id=7)
    _women(2, days_to_result=[3], site_id=8)

    rows = turnaround_exact(site_ids=[7], start=T0.date(), end=T0.date())
    later = turnaround_exact(
        site_ids=[7], start=T0.date() + timedelta(days=1), end=T0.date()
    )

    assert {r.site_id for r in rows} == {7}
    assert later == []


def test_a_rejected_tube_is_not_counted_as_late():
    _women(1, days_to_result=[None])
    tube = Specimen.objects.get(kind="hpv")
    tube.status = "rejected"
    tube.rejection_reason = "leaked"
    tube.rejected_at = T0
    tube.save()

    rows = turnaround_exact(site_ids=None, start=T0.date(), end=T0.date())

    assert [r.kind for r in rows] == ["cytology"]


def test_the_union_sees_counts_rounded_to_the_base_and_small_groups_hidden():
    campaign = CampaignFactory(status="open")
    _women(23, days_to_result=[3, 10, 20, 30, None], campaign=campaign, site_id=1)
    _women(3, days_to_result=[3], campaign=campaign, site_id=2)

    report = turnaround_for_union(campaign_id=campaign.pk)

    big = report.table.groups["1:hpv"]
    small = report.table.groups["2:hpv"]
    published = [
        cell.value
        for cells in [*report.table.groups.values(), report.table.total]
        for name, cell in cells.items()
        if not name.startswith("share") and not cell.suppressed
    ]
    assert all(value % OUTCOME_THRESHOLD == 0 for value in published)
    hidden = ("tubes", "within_14", "within_28", "share_14", "share_28")
    assert all(small[name].suppressed for name in hidden)
    assert report.percentiles["2:hpv"] == (None, None)
    assert not big["tubes"].suppressed
    assert report.percentiles["1:hpv"][0] is not None


def test_no_difference_of_the_unions_counts_gives_back_one_woman():
    campaign = CampaignFactory(status="open")
    _women(21, days_to_result=[3, 3, 3, 20, None], campaign=campaign, site_id=1)

    cells = turnaround_for_union(campaign_id=campaign.pk).table.total

    shown = {m: c.value for m, c in cells.items() if not m.startswith("share")}
    differences = {
        abs(a - b)
        for a in shown.values()
        for b in shown.values()
        if a is not None and b is not None
    }
    assert all(d % OUTCOME_THRESHOLD == 0 for d in differences)
    assert TOTAL not in turnaround_for_union(campaign_id=campaign.pk).table.groups


def test_the_turnaround_pages_and_api_keep_each_side_to_its_own(client):
    campaign = CampaignFactory(status="open")
    site = SiteFactory()
    _women(2, days_to_result=[3], campaign=campaign, site_id=site.pk)
    nurse = staff_user("nurse_t")
    site.staff.add(nurse)
    union = staff_user("union_t", role="union")

    client.force_login(nurse)
    desk = client.get(
        f"/api/v1/clinic/specimens/turnaround/?from={T0.date()}&to={T0.date()}"
    )
    bad = client.get("/api/v1/clinic/specimens/turnaround/?from=yesterday&to=x")
    denied = client.get(f"/api/v1/reports/specimen-turnaround/?campaign={campaign.pk}")
    client.force_login(union)
    aggregate = client.get(
        f"/api/v1/reports/specimen-turnaround/?campaign={campaign.pk}"
    )
    page = client.get(f"/union/specimens/turnaround/?campaign={campaign.pk}")
    no_desk = client.get("/desk/specimens/turnaround/")

    assert desk.status_code == 200
    assert desk.json()["rows"][0]["tubes"] in (2,)
    assert bad.status_code == 400
    assert bad.json()["code"] == "query_invalid"
    assert denied.status_code == 403
    assert aggregate.status_code == 200
    assert aggregate.json()["rows"][-1]["tubes"] == f"<{OUTCOME_THRESHOLD}"
    assert page.status_code == 200
    assert no_desk.status_code in (302, 403)
