"""The demo program of `make run`: Jiaozuo, two hospitals, two weeks of slots."""

from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import staff_create
from scheduling.demo_specimens import demo_specimens
from scheduling.models import Service, Site, SlotTemplate
from scheduling.services import slots_generate
from screening.models import Campaign, CampaignStatus, District, ServiceScope
from stations.demo import stations_demo_seed

DEMO_CAMPAIGN_TITLE = "新就业形态女性劳动者“两癌”筛查"
DEMO_DAYS = 14
DEMO_PLACES_PER_SLOT = 20
DEMO_SLOT_STARTS = [time(8), time(9), time(10), time(11), time(14), time(15), time(16)]


def demo_campaign_name(day: date) -> str:
    """The demo campaign runs from today: named after this year, not a past one."""
    return f"{day.year}年{DEMO_CAMPAIGN_TITLE}"


# 焦作市: GB/T 2260 codes of its districts and counties.
JIAOZUO_DISTRICTS = [
    ("410802", "解放区"),
    ("410803", "中站区"),
    ("410804", "马村区"),
    ("410811", "山阳区"),
    ("410821", "修武县"),
    ("410822", "博爱县"),
    ("410823", "武陟县"),
    ("410825", "温县"),
    ("410882", "沁阳市"),
    ("410883", "孟州市"),
]
DEMO_SITES = [
    ("JZFY", "焦作市妇幼保健院", "焦作市解放区", "410802"),
    ("JZRM", "焦作市人民医院", "焦作市山阳区", "410811"),
]
DEMO_SERVICES = [
    ("cervical", "宫颈癌筛查", "妇科检查、宫颈细胞学(TCT)与高危型HPV检测"),
    ("breast", "乳腺癌筛查", "乳腺临床检查与乳腺彩超"),
]
DEMO_STAFF = [
    ("demo-admin", Role.ADMIN),
    ("demo-clinic", Role.CLINIC),
    ("demo-union", Role.UNION),
]


@dataclass
class DemoSeedResult:
    campaign: Campaign
    created: bool
    staff_created: list[str]
    slots_created: int
    lab_csv: Path | None = None


def _demo_places() -> tuple[list[District], list[Site]]:
    """The districts, and the sites with the services they offer."""
    districts = [
        District.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in JIAOZUO_DISTRICTS
    ]
    services = [
        Service.objects.get_or_create(
            code=code, defaults={"name": name, "description": description}
        )[0]
        for code, name, description in DEMO_SERVICES
    ]
    sites = []
    for code, name, address, district_code in DEMO_SITES:
        site, _ = Site.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "address": address,
                "district": District.objects.get(code=district_code),
            },
        )
        site.services.add(*services)
        sites.append(site)
    # The first site runs its day through stations; the others keep the plain desk.
    stations_demo_seed(site=sites[0])
    return districts, sites


def _demo_campaign(districts: list[District]) -> tuple[Campaign, bool]:
    """The campaign of the next two weeks, open now; whether it is new."""
    today = timezone.localdate()
    campaign, created = Campaign.objects.get_or_create(
        name=demo_campaign_name(today),
        defaults={
            "description": (
                "市总工会为新就业形态女性劳动者提供免费的宫颈癌和乳腺癌筛查。"
            ),
            "starts_on": today,
            "ends_on": today + timedelta(days=DEMO_DAYS - 1),
            "registration_opens_at": timezone.now() - timedelta(days=1),
            "registration_closes_at": timezone.now() + timedelta(days=DEMO_DAYS),
            "min_age": 18,
            "max_age": 70,
            "services": ServiceScope.BOTH,
            "quota": 5000,
            "status": CampaignStatus.OPEN,
            "contact_phone": "0391-12345",
        },
    )
    campaign.districts.add(*districts)
    return campaign, created


def _demo_slots(campaign: Campaign, sites: list[Site]) -> int:
    """Every site's week of slot templates, and the slots they give; how many
    slots were created."""
    slots_created = 0
    for site in sites:
        for weekday in range(7):
            for start in DEMO_SLOT_STARTS:
                SlotTemplate.objects.get_or_create(
                    campaign=campaign,
                    site=site,
                    weekday=weekday,
                    start_time=start,
                    defaults={
                        "end_time": start.replace(hour=start.hour + 1),
                        "capacity": DEMO_PLACES_PER_SLOT,
                    },
                )
        slots_created += len(
            slots_generate(
                campaign=campaign,
                site=site,
                date_from=campaign.starts_on,
                date_to=campaign.ends_on,
            )
        )
    return slots_created


def _demo_staff(sites: list[Site], password: str) -> list[str]:
    """The demo accounts not there yet; desk staff work at every site."""
    staff_created = []
    for username, role in DEMO_STAFF:
        if User.objects.filter(username=username).exists():
            continue
        user = staff_create(username=username, role=role, password=password)
        if role == Role.CLINIC:
            user.sites.add(*sites)
        staff_created.append(username)
    return staff_created


@transaction.atomic
def demo_seed(*, password: str) -> DemoSeedResult:
    """Create the demo program once. A second run changes nothing: everything is
    looked up by its natural key, and existing staff keep their password."""
    districts, sites = _demo_places()
    campaign, created = _demo_campaign(districts)
    slots_created = _demo_slots(campaign, sites)
    staff_created = _demo_staff(sites, password)
    # The tubes go to the last site, which keeps the plain desk (the first runs
    # its day through stations), so the specimens pages show every status.
    tubes = demo_specimens(
        campaign=campaign,
        site=sites[-1],
        nurse=User.objects.get(username="demo-clinic"),
    )
    return DemoSeedResult(
        campaign=campaign,
        created=created,
        staff_created=staff_created,
        slots_created=slots_created,
        lab_csv=tubes.csv_path,
    )
