"""The turnout rate is worked out over the visits whose time has come, never over
bookings still ahead; a rate that cannot be published reads "—", never "<5"."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import Role
from scheduling.models import AppointmentStatus
from scheduling.reports.turnout import turnout_report
from screening.models import Campaign
from tests.accounts.factories import UserFactory
from tests.scheduling.factories import AppointmentFactory, SlotFactory
from tests.scheduling.test_reports_turnout import build_world
from tests.screening.factories import CampaignFactory

pytestmark = pytest.mark.django_db

S = AppointmentStatus
RATE_HEADERS = ("Turnout rate", "No-show rate")


@pytest.fixture
def mid_campaign() -> Campaign:
    """Yesterday 6 came and 5 missed; 20 are booked for next week."""
    campaign = CampaignFactory(starts_on=timezone.localdate() - timedelta(days=3))
    past = SlotFactory(
        campaign=campaign, starts_at=timezone.now() - timedelta(days=1), capacity=20
    )
    ahead = SlotFactory(
        campaign=campaign, starts_at=timezone.now() + timedelta(days=7), capacity=20
    )
    for status in [S.SCREENED] * 6 + [S.NO_SHOW] * 5:
        AppointmentFactory(
            slot=past,
            status=status,
            checked_in_at=past.starts_at if status == S.SCREENED else None,
        )
    for _ in range(20):
        AppointmentFactory(slot=ahead)
    return campaign


@pytest.mark.parametrize("use_rollup", [True, False], ids=["rollup", "direct"])
def test_turnout_counts_only_visits_whose_time_has_come(
    mid_campaign: Campaign, use_rollup: bool
) -> None:
    report = turnout_report(
        campaign=mid_campaign,
        group_by=None,
        date_from=None,
        date_to=None,
        use_rollup=use_rollup,
    )

    # Counts are published perturbed (common.cellkey), rates from the published
    # counts: checked in over the visits due (6 came, 5 missed), never over
    # the 31 bookings, 20 of them still ahead.
    shown = {name: cell.value for name, cell in report.totals.items()}
    due = shown["checked_in"] + shown["no_show"]
    assert abs(shown["booked"] - 31) <= 8
    assert due < shown["booked"]
    assert shown["turnout_rate"] == pytest.approx(shown["checked_in"] / due)
    assert shown["no_show_rate"] == pytest.approx(shown["no_show"] / due)


def test_the_dashboard_states_how_the_turnout_rate_is_worked_out(
    mid_campaign: Campaign,
) -> None:
    client = Client()
    client.force_login(UserFactory(role=Role.UNION))

    zh = client.get("/union/", {"campaign": mid_campaign.pk}).content.decode()
    en = client.get(
        "/union/", {"campaign": mid_campaign.pk}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    rate = (
        turnout_report(
            campaign=mid_campaign, group_by=None, date_from=None, date_to=None
        )
        .totals["turnout_rate"]
        .value
    )
    assert f"{rate * 100:.1f}%" in zh
    assert "尚未到时间的预约不计入" in zh
    assert "Bookings still ahead are left out" in en
    assert "60 minutes after its slot ends" in en


def test_a_hidden_rate_reads_as_a_dash_on_the_dashboard_with_a_note() -> None:
    world = build_world()
    client = Client()
    client.force_login(UserFactory(role=Role.UNION))

    response = client.get(
        "/union/",
        {"campaign": world.campaign.pk, "group_by": "employment_type"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    totals = {str(item["label"]): item["value"] for item in response.context["totals"]}
    # No-shows (3) are hidden, and with them both rates that are worked out from them.
    assert totals["Turnout rate"] == "—"
    assert totals["No-show rate"] == "—"
    headers = [str(h) for h in response.context["headers"]]
    rate_columns = [headers.index(name) for name in RATE_HEADERS]
    rates = [
        row["cells"][i]["value"]
        for row in response.context["rows"]
        for i in rate_columns
    ]
    assert "<5" not in rates
    assert "—" in rates
    assert (
        "the rate is not shown because one of the counts" in response.content.decode()
    )


def test_a_hidden_rate_reads_as_a_dash_in_both_exports() -> None:
    world = build_world()
    api = APIClient()
    api.force_authenticate(UserFactory(role=Role.UNION))
    params = {"campaign": world.campaign.pk, "group_by": "employment_type"}

    csv_rows = list(
        csv.reader(
            io.StringIO(
                api.get("/api/v1/reports/turnout.csv", params).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    sheet = load_workbook(
        io.BytesIO(api.get("/api/v1/reports/turnout.xlsx", params).content)
    ).worksheets[0]
    xlsx_rows = [list(row) for row in sheet.iter_rows(values_only=True)]

    for rows in (csv_rows, xlsx_rows):
        header = rows[0]
        width = len(header)
        body = [row for row in rows[1:] if row and len(row) == width and row[0]]
        rates = [row[i] for row in body for i in (width - 2, width - 1)]
        assert "<5" not in rates
        assert "—" in rates
