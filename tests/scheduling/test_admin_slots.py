"""An admin makes bookable time in the admin alone: a week's slot templates on one
page, then "generate slots for these dates" from sites or campaigns, previewed
first and safe to confirm twice."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Role
from scheduling.models import Slot, SlotTemplate, Weekday
from tests.accounts.factories import UserFactory, program_admin
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import CampaignFactory

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Asia/Shanghai")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def admin_client(client):  # type: ignore[no-untyped-def]
    client.force_login(program_admin())
    return client


@pytest.fixture
def week():  # type: ignore[no-untyped-def]
    """A campaign with two openings each Monday at one site, and the next seven
    days (one Monday among them)."""
    campaign = CampaignFactory()
    site = SiteFactory()
    for start in (time(9), time(10)):
        SlotTemplate.objects.create(
            campaign=campaign,
            site=site,
            weekday=Weekday.MONDAY,
            start_time=start,
            end_time=time(start.hour + 1),
            capacity=20,
        )
    first = campaign.starts_on + timedelta(days=1)
    monday = first + timedelta(days=(0 - first.weekday()) % 7)
    return campaign, site, first, first + timedelta(days=6), monday


def generate_url(by: str, ids: str) -> str:
    prefix = "scheduling/site" if by == "site" else "screening/campaign"
    return f"/admin/{prefix}/generate-slots/?ids={ids}"


def post_range(client, url, first, last, button):  # type: ignore[no-untyped-def]
    return client.post(
        url,
        {"date_from": first.isoformat(), "date_to": last.isoformat(), button: "1"},
        **EN,
    )


def test_confirming_twice_makes_each_templates_slot_once(admin_client, week) -> None:  # type: ignore[no-untyped-def]
    campaign, site, first, last, monday = week
    url = generate_url("campaign", str(campaign.pk))

    first_answer = post_range(admin_client, url, first, last, "confirm")
    post_range(admin_client, url, first, last, "confirm")

    assert first_answer.status_code == 302
    starts = sorted(
        Slot.objects.filter(campaign=campaign, site=site).values_list(
            "starts_at", flat=True
        )
    )
    assert starts == [
        datetime.combine(monday, time(9), tzinfo=ZONE),
        datetime.combine(monday, time(10), tzinfo=ZONE),
    ]


def test_the_preview_lists_what_exists_apart_from_what_will_be_made(
    admin_client, week
) -> None:  # type: ignore[no-untyped-def]
    campaign, site, first, last, monday = week
    Slot.objects.create(
        campaign=campaign,
        site=site,
        starts_at=datetime.combine(monday, time(9), tzinfo=ZONE),
        ends_at=datetime.combine(monday, time(10), tzinfo=ZONE),
        capacity=5,
    )

    response = post_range(
        admin_client, generate_url("site", str(site.pk)), first, last, "preview"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("will be made") == 1
    assert page.count("exists already, kept") == 1
    assert "10:00-11:00" in page.split("will be made")[0].rsplit("<tr>", 1)[1]
    assert "Make 1 new slot" in page
    assert Slot.objects.filter(campaign=campaign).count() == 1


def test_the_campaign_list_action_leads_to_the_range_form(admin_client, week) -> None:  # type: ignore[no-untyped-def]
    campaign = week[0]

    response = admin_client.post(
        "/admin/screening/campaign/",
        {"action": "generate_slots_action", "_selected_action": [campaign.pk]},
    )

    assert response.status_code == 302
    assert response["Location"] == generate_url("campaign", str(campaign.pk))


@pytest.mark.parametrize(
    ("days_from_first", "days_long", "message"),
    [
        (6, -3, "The last day is before the first."),
        (0, 400, "The range is longer than 366 days; generate it in parts."),
    ],
    ids=["end-before-start", "range-too-long"],
)
def test_a_bad_range_is_a_form_error_and_makes_nothing(
    admin_client, week, days_from_first, days_long, message
) -> None:  # type: ignore[no-untyped-def]
    campaign, _site, first, _last, _monday = week
    start = first + timedelta(days=days_from_first)

    response = post_range(
        admin_client,
        generate_url("campaign", str(campaign.pk)),
        start,
        start + timedelta(days=days_long),
        "confirm",
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Slot.objects.filter(campaign=campaign).exists()


@pytest.mark.parametrize("role", [Role.CLINIC, Role.UNION])
def test_only_admins_reach_the_slot_pages(client, week, role) -> None:  # type: ignore[no-untyped-def]
    campaign, site, first, last, _monday = week
    client.force_login(UserFactory(role=role, is_staff=True))

    generate = post_range(
        client, generate_url("campaign", str(campaign.pk)), first, last, "confirm"
    )
    templates = client.get(f"/admin/scheduling/site/{site.pk}/week-templates/")

    assert generate.status_code == 302
    assert generate["Location"].startswith("/admin/login/")
    assert templates.status_code == 302
    assert not Slot.objects.exists()


def week_rows(rows: list[dict], existing: int = 0) -> dict[str, str]:
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(existing),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        data.update({f"form-{n}-{key}": value for key, value in row.items()})
    return data


def test_a_week_of_templates_is_entered_on_one_page(admin_client) -> None:  # type: ignore[no-untyped-def]
    campaign, site = CampaignFactory(), SiteFactory()
    url = f"/admin/scheduling/site/{site.pk}/week-templates/?campaign={campaign.pk}"
    rows = [
        {
            "weekday": str(day),
            "start_time": "08:30",
            "end_time": "11:30",
            "capacity": "40",
        }
        for day in (Weekday.MONDAY, Weekday.WEDNESDAY, Weekday.FRIDAY)
    ]
    rows.append({"weekday": "", "start_time": "", "end_time": "", "capacity": ""})

    response = admin_client.post(url, week_rows(rows), **EN)

    assert response.status_code == 302
    saved = SlotTemplate.objects.filter(campaign=campaign, site=site)
    assert sorted(saved.values_list("weekday", flat=True)) == [0, 2, 4]
    assert {t.capacity for t in saved} == {40}
    assert "08:30" in admin_client.get(url).content.decode()


@pytest.mark.parametrize(
    ("second_row", "message"),
    [
        (
            {
                "weekday": "1",
                "start_time": "14:00",
                "end_time": "13:00",
                "capacity": "9",
            },
            "The end time must be after the start time.",
        ),
        (
            {
                "weekday": "0",
                "start_time": "08:30",
                "end_time": "10:00",
                "capacity": "9",
            },
            "Another row has this weekday and start time.",
        ),
    ],
    ids=["end-before-start", "same-weekday-and-start"],
)
def test_a_bad_template_row_is_a_form_error_and_saves_nothing(
    admin_client, second_row, message
) -> None:  # type: ignore[no-untyped-def]
    campaign, site = CampaignFactory(), SiteFactory()
    url = f"/admin/scheduling/site/{site.pk}/week-templates/?campaign={campaign.pk}"
    first_row = {
        "weekday": "0",
        "start_time": "08:30",
        "end_time": "11:30",
        "capacity": "40",
    }

    response = admin_client.post(url, week_rows([first_row, second_row]), **EN)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SlotTemplate.objects.exists()


def test_sites_without_an_open_campaigns_templates_say_so_and_make_nothing(
    admin_client, week
) -> None:  # type: ignore[no-untyped-def]
    campaign, site, first, last, _monday = week
    campaign.status = "closed"
    campaign.save(update_fields=["status"])

    response = post_range(
        admin_client, generate_url("site", str(site.pk)), first, last, "confirm"
    )

    assert response.status_code == 200
    assert "None of the chosen has slot templates" in response.content.decode()
    assert not Slot.objects.exists()


def test_an_admin_account_without_the_slot_permission_is_refused(client, week) -> None:  # type: ignore[no-untyped-def]
    campaign, site, first, last, _monday = week
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=False))

    generate = post_range(
        client, generate_url("campaign", str(campaign.pk)), first, last, "confirm"
    )
    templates = client.get(f"/admin/scheduling/site/{site.pk}/week-templates/")

    assert generate.status_code == 403
    assert templates.status_code == 403
    assert not Slot.objects.exists()
