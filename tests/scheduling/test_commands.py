"""The management commands: the demo seed, staff accounts and slot generation."""

from datetime import date, datetime, time, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import Role, User
from accounts.program_admins import PROGRAM_ADMINS_GROUP
from scheduling.demo import demo_campaign_name
from scheduling.demo_specimens import DEMO_WOMEN
from scheduling.models import Service, Site, Slot, SlotTemplate, Weekday
from screening.models import Campaign, CampaignStatus, District
from specimens.models import Specimen
from stations.models import Station
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import CampaignFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO_PASSWORD = "harbour-lantern-quiet-97"
STAFF_PASSWORD = "orchard-window-silent-31"
WEAK_PASSWORD = "12345"
# A fortnight that starts on a Monday.
FIRST_DAY = date(2031, 3, 3)
LAST_DAY = date(2031, 3, 16)


def shanghai(day: int, hour: int) -> datetime:
    """A time in March 2031, Shanghai time."""
    return datetime(2031, 3, day, hour, tzinfo=SHANGHAI)


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def generate_slots(
    date_from: str, date_to: str, *extra: str, site: str = "JZFY"
) -> str:
    return run(
        "generate_slots", "--site", site, "--from", date_from, "--to", date_to, *extra
    )


def counts() -> dict[str, int]:
    models = [Campaign, District, Site, Service, SlotTemplate, Slot, User, Specimen]
    return {model.__name__: model.objects.count() for model in models}


def validator_messages(password: str) -> list[str]:
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password)
    return excinfo.value.messages


@pytest.fixture
def demo_env(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)


@pytest.fixture
def staff_password(monkeypatch) -> str:
    monkeypatch.setenv("STAFF_PASSWORD", STAFF_PASSWORD)
    return STAFF_PASSWORD


@pytest.fixture
def templated_site():
    """A site with Monday 09:00 and Wednesday 14:00 openings in an open campaign
    that screens from FIRST_DAY to LAST_DAY."""
    campaign = CampaignFactory(starts_on=FIRST_DAY, ends_on=LAST_DAY)
    site = SiteFactory(code="JZFY")
    for weekday, start in ((Weekday.MONDAY, time(9)), (Weekday.WEDNESDAY, time(14))):
        SlotTemplate.objects.create(
            campaign=campaign,
            site=site,
            weekday=weekday,
            start_time=start,
            end_time=start.replace(hour=start.hour + 1),
            capacity=5,
        )
    return site


# --- seed_demo


def test_the_demo_campaign_is_named_after_the_year_it_runs_in(demo_env):
    with time_machine.travel(datetime(2031, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))):
        run("seed_demo")

    [campaign] = Campaign.objects.all()
    assert campaign.name.startswith("2031年")
    assert campaign.starts_on.year == 2031


def test_seed_demo_creates_the_demo_campaign_with_its_districts(demo_env):
    run("seed_demo")

    campaign = Campaign.objects.get(name=demo_campaign_name(timezone.localdate()))
    assert (
        campaign.name == f"{timezone.localdate().year}年新就业形态女性劳动者“两癌”筛查"
    )
    assert campaign.status == CampaignStatus.OPEN
    assert campaign.registration_open
    assert campaign.districts.count() == 10


def test_seed_demo_creates_two_sites_with_a_fortnight_of_twenty_place_slots(
    demo_env,
):
    run("seed_demo")

    today = timezone.localdate()
    slots = Slot.objects.all()
    days = {timezone.localtime(s.starts_at, SHANGHAI).date() for s in slots}
    assert Site.objects.count() == 2
    assert days == {today + timedelta(days=n) for n in range(14)}
    assert {s.capacity for s in slots} == {20}
    # The demo's six women with tubes share the first free place-slot.
    assert sorted(s.booked for s in slots if s.booked) == [len(DEMO_WOMEN)]
    assert {s.site.code for s in slots} == {"JZFY", "JZRM"}


def test_seed_demo_creates_three_staff_accounts_that_sign_in_with_the_password(
    demo_env,
):
    run("seed_demo")

    signed_in = {
        username: authenticate(username=username, password=DEMO_PASSWORD)
        for username in ("demo-admin", "demo-clinic", "demo-union")
    }
    assert {name: user.role for name, user in signed_in.items()} == {
        "demo-admin": Role.ADMIN,
        "demo-clinic": Role.CLINIC,
        "demo-union": Role.UNION,
    }
    assert signed_in["demo-clinic"].sites.count() == 2


def test_seed_demo_seeds_tubes_in_every_status_and_a_lab_csv_by_barcode(demo_env):
    output = run("seed_demo")

    statuses = set(Specimen.objects.values_list("status", flat=True))
    assert statuses == {"collected", "dispatched", "received", "resulted", "rejected"}
    path = Path(output.split("lab import: ", 1)[1].split()[0])
    rows = path.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("条码号,")
    barcodes = {row.split(",")[0] for row in rows[1:]}
    dispatched = Specimen.objects.filter(status="dispatched")
    assert len(barcodes) == 4
    assert barcodes <= set(dispatched.values_list("barcode", flat=True))


def test_seed_demo_puts_the_tubes_at_a_site_that_keeps_the_plain_desk(demo_env):
    run("seed_demo")

    tube_sites = set(Specimen.objects.values_list("visit__site_id", flat=True))
    station_sites = set(Station.objects.values_list("site_id", flat=True))
    assert tube_sites
    assert station_sites
    assert tube_sites.isdisjoint(station_sites)


def test_seed_demo_run_twice_changes_nothing(demo_env):
    run("seed_demo")
    before = counts()

    output = run("seed_demo")

    assert counts() == before
    assert "already present" in output
    assert authenticate(username="demo-union", password=DEMO_PASSWORD) is not None


def test_seed_demo_refuses_to_run_with_debug_off(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)

    with pytest.raises(CommandError, match="DEBUG off"):
        run("seed_demo")

    assert Campaign.objects.count() == 0
    assert User.objects.count() == 0


# --- create_staff


def test_create_staff_creates_a_clinic_account_bound_to_its_sites(staff_password):
    fuyou = SiteFactory(code="JZFY")
    renmin = SiteFactory(code="JZRM")
    SiteFactory(code="OTHER")

    run("create_staff", "dr-li", "--role", "clinic", "--site", "JZFY", "--site", "JZRM")

    user = User.objects.get(username="dr-li")
    assert user.role == Role.CLINIC
    assert set(user.sites.all()) == {fuyou, renmin}
    assert not user.is_staff
    assert authenticate(username="dr-li", password=staff_password) == user


def test_create_staff_gives_an_admin_account_the_django_admin(staff_password):
    run("create_staff", "chen", "--role", "admin")

    user = User.objects.get(username="chen")
    assert user.is_staff
    # The program admins' permissions, not a superuser's.
    assert not user.is_superuser
    assert user.groups.filter(name=PROGRAM_ADMINS_GROUP).exists()


def test_create_staff_rejects_an_unknown_site_code_naming_it(staff_password):
    SiteFactory(code="JZFY")

    with pytest.raises(CommandError, match=r"Unknown site code\(s\): NOPE\."):
        run("create_staff", "dr-li", "--role", "clinic", "--site", "NOPE")

    assert not User.objects.filter(username="dr-li").exists()


def test_create_staff_rejects_a_clinic_account_without_a_site(staff_password):
    with pytest.raises(CommandError, match="needs at least one --site"):
        run("create_staff", "dr-li", "--role", "clinic")

    assert not User.objects.filter(username="dr-li").exists()


def test_create_staff_rejects_a_site_for_an_account_that_is_not_clinic_staff(
    staff_password,
):
    SiteFactory(code="JZFY")

    with pytest.raises(CommandError, match="Only clinic accounts belong to sites"):
        run("create_staff", "wang", "--role", "union", "--site", "JZFY")


def test_create_staff_rejects_a_weak_password_with_the_validators_message(
    monkeypatch,
):
    SiteFactory(code="JZFY")
    monkeypatch.setenv("STAFF_PASSWORD", WEAK_PASSWORD)

    with pytest.raises(CommandError, match="Password rejected") as excinfo:
        run("create_staff", "dr-li", "--role", "clinic", "--site", "JZFY")

    assert all(m in str(excinfo.value) for m in validator_messages(WEAK_PASSWORD))
    assert not User.objects.filter(username="dr-li").exists()


# --- generate_slots


def test_generate_slots_creates_the_slots_its_templates_describe(templated_site):
    output = generate_slots("2031-03-03", "2031-03-16")

    slots = list(
        Slot.objects.filter(site=templated_site)
        .order_by("starts_at")
        .values_list("starts_at", "ends_at", "capacity")
    )
    assert slots == [
        (shanghai(3, 9), shanghai(3, 10), 5),
        (shanghai(5, 14), shanghai(5, 15), 5),
        (shanghai(10, 9), shanghai(10, 10), 5),
        (shanghai(12, 14), shanghai(12, 15), 5),
    ]
    assert "4 new slots at JZFY" in output


def test_generate_slots_stays_within_the_campaign_days(templated_site):
    generate_slots("2031-02-01", "2031-04-30")

    assert Slot.objects.filter(site=templated_site).count() == 4


def test_generate_slots_run_twice_creates_nothing_more(templated_site):
    generate_slots("2031-03-03", "2031-03-16")

    output = generate_slots("2031-03-03", "2031-03-16")

    assert Slot.objects.filter(site=templated_site).count() == 4
    assert "0 new slots at JZFY" in output


def test_generate_slots_leaves_a_draft_campaign_alone_unless_named(templated_site):
    Campaign.objects.update(status=CampaignStatus.DRAFT)
    campaign = Campaign.objects.get()

    with pytest.raises(CommandError, match="No campaign has slot templates"):
        generate_slots("2031-03-03", "2031-03-16")
    generate_slots("2031-03-03", "2031-03-16", "--campaign", str(campaign.pk))

    assert Slot.objects.filter(campaign=campaign).count() == 4


def test_generate_slots_rejects_a_date_that_does_not_exist(templated_site):
    with pytest.raises(CommandError, match="'2031-02-30' is not a date"):
        generate_slots("2031-02-30", "2031-03-16")

    assert Slot.objects.count() == 0


def test_generate_slots_rejects_an_end_before_the_start(templated_site):
    with pytest.raises(CommandError, match="--to is before --from"):
        generate_slots("2031-03-16", "2031-03-03")

    assert Slot.objects.count() == 0


def test_generate_slots_rejects_a_range_longer_than_a_year(templated_site):
    with pytest.raises(CommandError, match="longer than a year"):
        generate_slots("2031-01-01", "2032-06-01")


def test_generate_slots_rejects_an_unknown_site_naming_the_known_ones(templated_site):
    with pytest.raises(CommandError, match=r"Unknown site 'NOPE'\. Known: JZFY\."):
        generate_slots("2031-03-03", "2031-03-16", site="NOPE")

    assert Slot.objects.count() == 0
