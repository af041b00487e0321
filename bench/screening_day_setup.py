"""The site, stations and women of a simulated screening day (bench only)."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

from common.crypto import keyed_hash
from scheduling.models import Site
from screening.models import Campaign, CampaignStatus, District, Participant, Visit
from stations.models import Station

# name, tests, rooms, expected minutes, step: the rooms of a real day.
ROOMS_PLAN = (
    ("registration", ["registration"], 3, 2, 1),
    ("gynaecology", ["hpv", "cytology"], 6, 7, 2),
    ("breast_exam", ["cbe"], 3, 4, 2),
    ("ultrasound", ["breast_ultrasound"], 5, 6, 2),
)


def make_day(
    *, label: str, day: date, women: int, plan: tuple = ROOMS_PLAN
) -> tuple[Site, list[Station], list[Visit]]:
    """A new site with the stations of `plan` and `women` visits on `day`,
    not yet checked in to the stations (ticket_open does that on arrival)."""
    district, _ = District.objects.get_or_create(code="990002", name="筛查日基准区")
    site = Site.objects.create(
        code=f"D{abs(hash(label)) % 10**9}", name=f"基准院区 {label}"
    )
    stations = [
        Station.objects.create(
            site=site,
            name=name,
            tests=tests,
            rooms=rooms,
            service_minutes=minutes,
            step=step,
        )
        for name, tests, rooms, minutes, step in plan
    ]
    campaign = Campaign.objects.create(
        name=f"Day bench {label}",
        starts_on=day,
        ends_on=day,
        registration_opens_at=timezone.now(),
        registration_closes_at=timezone.now(),
        quota=women,
        status=CampaignStatus.CLOSED,
    )
    participants = _women(label=label, women=women, district=district)
    checked_in = datetime.combine(day, time(8), tzinfo=ZoneInfo("Asia/Shanghai"))
    visits = Visit.objects.bulk_create(
        Visit(
            campaign=campaign,
            participant=participant,
            site_id=site.pk,
            site_name=site.name,
            day=day,
            checked_in_at=checked_in,
        )
        for participant in participants
    )
    for visit, participant in zip(visits, participants, strict=True):
        visit.participant, visit.campaign = participant, campaign
    return site, stations, visits


def _women(*, label: str, women: int, district: District) -> list[Participant]:
    stem = abs(hash(label)) % 10**4
    return Participant.objects.bulk_create(
        Participant(
            phone=f"176{stem:04d}{n:04d}",
            phone_hash=keyed_hash(f"176{stem:04d}{n:04d}-{label}", purpose="phone"),
            full_name="基准",
            id_number=f"DAY{label[-12:]}{n:05d}",
            id_hash=keyed_hash(f"DAY{label}{n:05d}", purpose="id"),
            birth_date=date(1980, 1, 1),
            sex="F",
            employment_type="courier",
            district=district,
        )
        for n in range(women)
    )
