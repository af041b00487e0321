"""Writes of the waitlist: joining, leaving, claiming a held place, the sweep."""

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from scheduling.appointment_places import (
    appointment_create_booked,
    campaign_place_release,
    has_active_appointment,
    slot_place_release,
)
from scheduling.errors import AlreadyBooked, CampaignNotFound, SlotClosed
from scheduling.models import Appointment, Site, Slot
from scheduling.waitlist.errors import (
    AlreadyWaiting,
    OfferExpired,
    PlacesAvailable,
    SiteNotInCampaign,
)
from scheduling.waitlist.models import (
    EntryStatus,
    OfferStatus,
    WaitlistEntry,
    WaitlistOffer,
)
from scheduling.waitlist.offers import offer_pass_on, waitlist_fill_campaign
from scheduling.waitlist.selectors import entry_get_for_participant
from scheduling.waitlist.timing import BEFORE_VISIT
from screening.eligibility import eligibility_reasons
from screening.errors import NotEligible
from screening.models import Campaign, CampaignStatus, Participant
from screening.recall.eligibility import recall_reasons
from screening.selectors import participant_has_consent

logger = logging.getLogger(__name__)


def _refuse_unless_eligible(
    *, participant: Participant, campaign: Campaign, now: datetime
) -> None:
    # The funded places are what she waits for (or what the offer holds for
    # her): every other rule of booking applies as it is.
    reasons = eligibility_reasons(
        campaign=campaign,
        sex=participant.sex,
        birth_date=participant.birth_date,
        now=now,
        quota_used=0,
        has_active_appointment=False,
        consent_given=participant_has_consent(participant=participant),
    )
    reasons += recall_reasons(
        participant_id=participant.pk, today=timezone.localdate(now)
    )
    if reasons:
        raise NotEligible(reasons=reasons)


def _site_slots(*, campaign: Campaign, site_id: int, day: date | None, now: datetime):
    slots = Slot.objects.filter(
        campaign=campaign, site_id=site_id, starts_at__gt=now + BEFORE_VISIT
    ).select_related("site")
    return [
        slot
        for slot in slots
        if day is None
        or slot.starts_at.astimezone(ZoneInfo(slot.site.timezone)).date() == day
    ]


def waitlist_join(
    *, participant: Participant, campaign_id: int, site_id: int, day: date | None
) -> WaitlistEntry:
    """Put her in line for a day at a site (`day` None: any day there).

    Raises CampaignNotFound, SiteNotInCampaign, NotEligible, AlreadyBooked,
    PlacesAvailable (the day still has places: she books instead) and
    AlreadyWaiting (the partial unique index decides when she joins twice).
    """
    now = timezone.now()
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or campaign.status != CampaignStatus.OPEN:
        raise CampaignNotFound
    if not Site.objects.filter(pk=site_id, is_active=True).exists():
        raise SiteNotInCampaign
    slots = _site_slots(campaign=campaign, site_id=site_id, day=day, now=now)
    if not slots:
        raise SiteNotInCampaign
    _refuse_unless_eligible(participant=participant, campaign=campaign, now=now)
    if has_active_appointment(participant=participant, campaign_id=campaign_id):
        raise AlreadyBooked
    funded_left = campaign.places_taken < campaign.quota
    if funded_left and any(slot.booked < slot.capacity for slot in slots):
        raise PlacesAvailable
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(
                participant=participant,
                campaign=campaign,
                site_id=site_id,
                day=day,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        raise AlreadyWaiting from None
    logger.info("waitlist.joined entry=%s site=%s", entry.pk, site_id)
    return entry


def _close_held(*, entry: WaitlistEntry, status: str, now: datetime):
    """Lock and close her held offer, if any. The offer row first: the lock
    order (offer, entry, slots, campaign) that claim and sweep share."""
    offer = (
        WaitlistOffer.objects.select_for_update()
        .filter(entry=entry, status=OfferStatus.HELD)
        .first()
    )
    if offer is not None:
        offer.status = status
        offer.closed_at = now
        offer.save(update_fields=["status", "closed_at"])
    return offer


@transaction.atomic
def waitlist_leave(*, participant: Participant, entry_id: int) -> WaitlistEntry:
    """She leaves the line; a place held for her passes on. Idempotent."""
    now = timezone.now()
    entry = entry_get_for_participant(entry_id=entry_id, participant=participant)
    offer = _close_held(entry=entry, status=OfferStatus.WITHDRAWN, now=now)
    changed = WaitlistEntry.objects.filter(
        pk=entry.pk, status__in=[EntryStatus.WAITING, EntryStatus.OFFERED]
    ).update(status=EntryStatus.LEFT, updated_at=now)
    if offer is not None:
        offer_pass_on(offer=offer, now=now)
    if changed:
        entry.status = EntryStatus.LEFT
    return entry


def waitlist_claim(*, participant: Participant, entry_id: int) -> Appointment:
    """Book the place held for her. Raises OfferExpired when no place is held
    (any more), AlreadyBooked when she booked it (or another) already, SlotClosed
    and NotEligible; on any of them nothing is written."""
    entry = entry_get_for_participant(entry_id=entry_id, participant=participant)
    try:
        return _claim(participant=participant, entry=entry)
    except IntegrityError:
        # Her own booking elsewhere committed at the same moment.
        if has_active_appointment(
            participant=participant, campaign_id=entry.campaign_id
        ):
            raise AlreadyBooked from None
        raise


@transaction.atomic
def _claim(*, participant: Participant, entry: WaitlistEntry) -> Appointment:
    now = timezone.now()
    # The offer row first, FOR UPDATE: a second claim of the same offer waits
    # here, then finds it claimed; the sweep skips an offer being claimed.
    offer = (
        WaitlistOffer.objects.select_for_update()
        .filter(entry=entry, status=OfferStatus.HELD)
        .first()
    )
    if offer is None:
        if entry.offers.filter(status=OfferStatus.CLAIMED).exists():
            raise AlreadyBooked
        raise OfferExpired
    if offer.expires_at <= now:
        raise OfferExpired
    slot = Slot.objects.select_related("site", "campaign").get(pk=offer.slot_id)
    _refuse_unless_eligible(participant=participant, campaign=slot.campaign, now=now)
    if slot.starts_at <= now:
        raise SlotClosed
    # The held place becomes her booking within this transaction: given back
    # and taken again while this transaction holds the slot and campaign rows,
    # so nobody else can take it in between, and the booking's own rules run.
    slot_place_release(slot_id=slot.pk)
    campaign_place_release(campaign_id=slot.campaign_id)
    appointment = appointment_create_booked(participant=participant, slot=slot, now=now)
    WaitlistOffer.objects.filter(pk=offer.pk).update(
        status=OfferStatus.CLAIMED, closed_at=now, appointment_id=appointment.pk
    )
    WaitlistEntry.objects.filter(pk=entry.pk).update(
        status=EntryStatus.BOOKED, updated_at=now
    )
    logger.info("waitlist.claimed offer=%s appointment=%s", offer.pk, appointment.pk)
    return appointment


@transaction.atomic
def _expire_one(*, now: datetime) -> bool:
    # SKIP LOCKED: two sweeps side by side take different offers, and an offer
    # being claimed right now is left to its claim.
    offer = (
        WaitlistOffer.objects.select_for_update(skip_locked=True)
        .filter(status=OfferStatus.HELD, expires_at__lte=now)
        .order_by("expires_at", "id")
        .first()
    )
    if offer is None:
        return False
    WaitlistOffer.objects.filter(pk=offer.pk).update(
        status=OfferStatus.EXPIRED, closed_at=now
    )
    WaitlistEntry.objects.filter(pk=offer.entry_id, status=EntryStatus.OFFERED).update(
        status=EntryStatus.LAPSED, updated_at=now
    )
    offer_pass_on(offer=offer, now=now)
    logger.info("waitlist.offer_expired offer=%s", offer.pk)
    return True


def waitlist_sweep(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Pass on every lapsed offer, then offer free places to women still
    waiting. Safe to run twice or side by side. Returns the offers expired."""
    now = now or timezone.now()
    expired = 0
    while expired < limit and _expire_one(now=now):
        expired += 1
    campaigns = (
        WaitlistEntry.objects.filter(status=EntryStatus.WAITING)
        .values_list("campaign_id", flat=True)
        .distinct()
    )
    for campaign_id in list(campaigns):
        waitlist_fill_campaign(campaign_id=campaign_id, now=now)
    return expired
