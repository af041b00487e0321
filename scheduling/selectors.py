from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import NamedTuple, TypedDict
from zoneinfo import ZoneInfo

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from scheduling.errors import AppointmentNotFound, CampaignNotFound
from scheduling.listing_cache import slot_listing_cached
from scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    Site,
    Slot,
)
from scheduling.places import places_band
from screening.eligibility import Reason
from screening.models import Campaign, CampaignStatus, Participant
from screening.selectors import campaign_list_public, participant_eligibility


@dataclass(frozen=True)
class CampaignOverview:
    campaign: Campaign
    sites: list[Site]
    places_left: int


def site_list_active() -> QuerySet[Site]:
    return Site.objects.filter(is_active=True).order_by("code")


def campaign_quota_used(*, campaign: Campaign) -> int:
    """Funded places taken: every appointment still active in the campaign, as
    counted by the transactions that book and release them."""
    # Read afresh: the caller's campaign may have been loaded before a booking.
    taken = (
        Campaign.objects.filter(pk=campaign.pk)
        .values_list("places_taken", flat=True)
        .first()
    )
    return taken or 0


def campaign_active_appointments(*, campaign: Campaign) -> int:
    """Appointments still active in the campaign, counted row by row: what the
    reports state, whatever path changed them."""
    return Appointment.objects.filter(
        campaign=campaign, status__in=ACTIVE_STATUSES
    ).count()


def campaign_places_left(*, campaign: Campaign) -> int:
    """Places she could still book: open slot places, bounded by the funded quota."""
    open_places = (
        Slot.objects.filter(campaign=campaign, starts_at__gt=timezone.now())
        .aggregate(n=Sum(F("capacity") - F("booked")))
        .get("n")
        or 0
    )
    used = campaign_quota_used(campaign=campaign)
    return max(0, min(open_places, campaign.quota - used))


def campaign_overviews() -> list[CampaignOverview]:
    # The page shows no districts: the public list's prefetch of them is skipped.
    campaigns = list(campaign_list_public().prefetch_related(None))
    sites: dict[int, list[Site]] = {campaign.pk: [] for campaign in campaigns}
    # Every campaign's sites in one query instead of one per campaign.
    rows = (
        Site.objects.filter(is_active=True, slots__campaign_id__in=sites)
        .annotate(campaign_id=F("slots__campaign_id"))
        .distinct()
        .order_by("code")
    )
    for site in rows:
        sites[site.campaign_id].append(site)
    return [
        CampaignOverview(
            campaign=campaign,
            sites=sites[campaign.pk],
            places_left=campaign_places_left(campaign=campaign),
        )
        for campaign in campaigns
    ]


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def slot_list(
    *,
    campaign_id: int,
    site_id: int | None = None,
    day: date | None = None,
    available_only: bool = False,
) -> QuerySet[Slot]:
    """Future slots of a published campaign, earliest first. `day` is a calendar
    day at the site (the server's zone when no site is given). Raises
    CampaignNotFound for a campaign that does not exist or is still a draft."""
    if not _campaign_published(campaign_id):
        raise CampaignNotFound
    return _future_slots(
        campaign_id=campaign_id,
        site_id=site_id,
        day=day,
        available_only=available_only,
    ).select_related("site")


def _campaign_published(campaign_id: int) -> bool:
    return (
        Campaign.objects.filter(pk=campaign_id)
        .exclude(status=CampaignStatus.DRAFT)
        .exists()
    )


def _future_slots(
    *, campaign_id: int, site_id: int | None, day: date | None, available_only: bool
) -> QuerySet[Slot]:
    slots = Slot.objects.filter(
        campaign_id=campaign_id, site__is_active=True, starts_at__gt=timezone.now()
    )
    if site_id is not None:
        slots = slots.filter(site_id=site_id)
    if day is not None:
        zone: ZoneInfo = timezone.get_default_timezone()  # type: ignore[assignment]
        if site_id is not None:
            sites = Site.objects.filter(pk=site_id)
            site_zone = sites.values_list("timezone", flat=True).first()
            zone = ZoneInfo(site_zone) if site_zone else zone
        start, end = day_bounds(day, zone)
        slots = slots.filter(starts_at__gte=start, starts_at__lt=end)
    if available_only:
        slots = slots.filter(booked__lt=F("capacity"))
    return slots.order_by("starts_at", "site_id", "id")


class SlotOpening(TypedDict):
    """One slot as the public listing shows it; times in the server's zone. The
    places left are a band, never a count (scheduling.places)."""

    id: int
    site: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    places: str


def slot_listing(
    *,
    campaign_id: int,
    site_id: int | None = None,
    day: date | None = None,
    available_only: bool = False,
) -> list[SlotOpening]:
    """The slots `slot_list` finds, as plain rows for the public listing, served
    from a copy of the last few seconds until a place at the site changes
    (scheduling.listing_cache). Raises CampaignNotFound as `slot_list` does."""
    return slot_listing_cached(
        campaign_id=campaign_id,
        site_id=site_id,
        variant=f"{day or 'any'}:{int(available_only)}",
        read=partial(
            _slot_listing_read,
            campaign_id=campaign_id,
            site_id=site_id,
            day=day,
            available_only=available_only,
        ),
    )


def _slot_listing_read(
    *, campaign_id: int, site_id: int | None, day: date | None, available_only: bool
) -> list[SlotOpening]:
    # The draft check rides on the slot query; only an empty answer needs the
    # second query that tells an unknown campaign from one with no free slots.
    rows = list(
        _future_slots(
            campaign_id=campaign_id,
            site_id=site_id,
            day=day,
            available_only=available_only,
        )
        .exclude(campaign__status=CampaignStatus.DRAFT)
        .values_list("id", "site_id", "starts_at", "ends_at", "capacity", "booked")
    )
    if not rows and not _campaign_published(campaign_id):
        raise CampaignNotFound
    return [
        SlotOpening(
            id=pk,
            site=site,
            starts_at=timezone.localtime(starts_at),
            ends_at=timezone.localtime(ends_at),
            capacity=capacity,
            places=places_band(capacity - booked).value,
        )
        for pk, site, starts_at, ends_at, capacity, booked in rows
    ]


class SlotDay(NamedTuple):
    day: date
    places_left: int


def site_list_for_campaign(*, campaign: Campaign) -> QuerySet[Site]:
    """Active sites with at least one future slot in the campaign."""
    return (
        Site.objects.filter(
            is_active=True,
            slots__campaign=campaign,
            slots__starts_at__gt=timezone.now(),
        )
        .distinct()
        .order_by("code")
    )


def slot_days(*, campaign: Campaign, site: Site) -> list[SlotDay]:
    """For the day picker: each day at `site` with future slots, and the places
    left that day (0 for a full day, which the picker still shows)."""
    rows = (
        Slot.objects.filter(campaign=campaign, site=site, starts_at__gt=timezone.now())
        .annotate(day=TruncDate("starts_at", tzinfo=ZoneInfo(site.timezone)))
        .values("day")
        .annotate(left=Sum(F("capacity") - F("booked")))
        .order_by("day")
    )
    return [SlotDay(row["day"], row["left"]) for row in rows]


def appointment_list_for_participant(
    *, participant: Participant
) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(participant=participant)
        .select_related("slot__site", "campaign")
        .order_by("-created_at", "-id")
    )


def appointment_get_for_participant(
    *, appointment_id: int, participant: Participant
) -> Appointment:
    """Her appointment, or AppointmentNotFound: someone else's looks the same as
    one that does not exist."""
    appointment = (
        appointment_list_for_participant(participant=participant)
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise AppointmentNotFound
    return appointment


def appointment_active_for_participant(
    *, participant: Participant, campaign: Campaign
) -> Appointment | None:
    """Her one active appointment in the campaign, if she has one."""
    return (
        appointment_list_for_participant(participant=participant)
        .filter(campaign=campaign, status__in=ACTIVE_STATUSES)
        .first()
    )


def booking_eligibility(
    *, participant: Participant, campaign: Campaign
) -> list[Reason]:
    """Every reason she cannot book in the campaign now (empty: she can). Advice
    for a page; the booking service decides again under its locks."""
    return participant_eligibility(
        participant=participant,
        campaign=campaign,
        now=timezone.now(),
        quota_used=campaign_quota_used(campaign=campaign),
        has_active_appointment=Appointment.objects.filter(
            participant=participant, campaign=campaign, status__in=ACTIVE_STATUSES
        ).exists(),
    )
