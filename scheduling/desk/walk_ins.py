"""Walk-ins at the desk: a woman who came without a booking is registered (or
found on record, when phone, ID number and name agree), given one of the day's
walk-in places and checked in, all in one transaction."""

import logging
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from common.crypto import keyed_hash
from scheduling.appointment_places import appointment_create_booked
from scheduling.desk.checkin import VIA_WALK_IN, check_in_locked
from scheduling.desk.selectors import desk_sites, site_today
from scheduling.desk.walk_in_clash import walk_in_clash
from scheduling.desk.walk_in_identity import TypedIdentity, walk_in_identity_resolve
from scheduling.errors import NoCampaignToday
from scheduling.models import Appointment, AppointmentStatus, Site, Slot
from scheduling.selectors import campaign_quota_used
from screening import selectors as screening_selectors
from screening import services as screening_services
from screening.authentication import PhoneIdentity
from screening.consent import HEALTH_DATA_CONSENT_VERSION
from screening.errors import CampaignRequired, NotEligible, ValidationFailed
from screening.models import Campaign, CampaignStatus, ConsentPurpose, Participant
from screening.phone import InvalidPhone, normalise_phone

logger = logging.getLogger(__name__)


def walk_in_campaign(*, site: Site, day: date, campaign_id: int | None) -> Campaign:
    """The campaign screening at `site` on `day`: the one asked for, or the only
    one with slots there that day."""
    zone = ZoneInfo(site.timezone)
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    campaigns = Campaign.objects.filter(
        status__in=[CampaignStatus.OPEN, CampaignStatus.CLOSED],
        starts_on__lte=day,
        ends_on__gte=day,
        pk__in=Slot.objects.filter(
            site=site, starts_at__gte=start, starts_at__lt=start + timedelta(days=1)
        ).values("campaign_id"),
    ).order_by("id")
    if campaign_id is not None:
        campaigns = campaigns.filter(pk=campaign_id)
    found = list(campaigns[:2])
    if not found:
        raise NoCampaignToday
    if len(found) > 1:
        raise CampaignRequired
    return found[0]


def _walk_in_slot(*, campaign: Campaign, site: Site, day: date) -> Slot:
    """The day's walk-in slot, made on first use. It starts at midnight, so it has
    always begun by the time anyone asks: no list offers it and online booking,
    which only takes places in slots yet to start, can never take it."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(site.timezone))
    # get_or_create survives a concurrent first walk-in on the unique key.
    slot, _created = Slot.objects.get_or_create(
        campaign=campaign,
        site=site,
        starts_at=start,
        defaults={
            "ends_at": start + timedelta(days=1),
            "capacity": site.walk_in_capacity,
        },
    )
    return slot


def _walk_in_phone(phone: str) -> str:
    try:
        return normalise_phone(phone)
    except InvalidPhone as exc:
        raise ValidationFailed(errors={"phone": [str(exc.message)]}) from None


def _walk_in_participant(
    *,
    existing: Participant | None,
    campaign: Campaign,
    phone: str,
    full_name: str,
    id_number: str,
    employment_type: str,
    employment_other: str,
    employer: str,
    district_code: str,
    consent: bool,
) -> Participant:
    """The woman on record the identity check found, or a new registration
    through the same rules as online sign-up."""
    if existing is None:
        return screening_services.participant_register(
            identity=PhoneIdentity(
                phone=phone,
                phone_hash=keyed_hash(phone, purpose="phone"),
                participant=None,
            ),
            full_name=full_name,
            id_number=id_number,
            employment_type=employment_type,
            employment_other=employment_other,
            employer=employer,
            district_code=district_code,
            campaign=campaign,
            consent_health_data=consent,
            consent_version=HEALTH_DATA_CONSENT_VERSION,
            sms_reminders=True,
        )
    if not consent:
        raise ValidationFailed(
            errors={
                "consent": [
                    gettext("She must agree to the processing of her health data.")
                ]
            }
        )
    screening_services.consent_give(
        participant=existing,
        purpose=ConsentPurpose.HEALTH_DATA,
        text_version=HEALTH_DATA_CONSENT_VERSION,
    )
    return existing


def _refuse_booked(
    *, by: User, participant: Participant, campaign: Campaign, site: Site
) -> None:
    """AlreadyBooked, worded for the nurse, when she already has a booking or a
    visit in the campaign: the reference to check in (or already checked in),
    named when it is at one of the nurse's sites."""
    active = (
        Appointment.objects.filter(
            participant=participant,
            campaign=campaign,
            status__in=[
                AppointmentStatus.BOOKED,
                AppointmentStatus.CHECKED_IN,
                AppointmentStatus.SCREENED,
            ],
        )
        .select_related("slot__site")
        .first()
    )
    if active is None:
        return
    raise walk_in_clash(
        appointment=active,
        here=site,
        known=desk_sites(user=by).filter(pk=active.slot.site_id).exists(),
    )


def _refuse_ineligible(
    *, participant: Participant, campaign: Campaign, now: datetime
) -> None:
    reasons = [
        reason
        for reason in screening_selectors.participant_eligibility(
            participant=participant,
            campaign=campaign,
            now=now,
            quota_used=campaign_quota_used(campaign=campaign),
            has_active_appointment=False,
        )
        # Walk-ins come on screening days, after sign-up may have closed.
        if reason.code != "registration_closed"
    ]
    if reasons:
        raise NotEligible(reasons=reasons)


def _take_walk_in_place(
    *,
    participant: Participant,
    campaign: Campaign,
    site: Site,
    day: date,
    now: datetime,
) -> Appointment:
    """One of the day's walk-in places, booked for her. Raises WalkInsFull."""
    slot = _walk_in_slot(campaign=campaign, site=site, day=day)
    slot.campaign = campaign
    appointment = appointment_create_booked(
        participant=participant, slot=slot, now=now, walk_in=True
    )
    return Appointment.objects.select_related(
        "slot__site", "participant", "campaign"
    ).get(pk=appointment.pk)


def _walk_in_admit(
    *,
    by: User,
    site: Site,
    campaign_id: int | None,
    confirm_record: int | None,
    person: dict[str, Any],
    request: HttpRequest | None,
) -> Appointment:
    """Who she is (before the transaction, so a conflict stays audited), then
    her record, today's walk-in place and her check-in, in one transaction."""
    existing = walk_in_identity_resolve(
        by=by,
        typed=TypedIdentity(
            phone=person["phone"],
            full_name=person["full_name"],
            id_number=person["id_number"],
        ),
        confirm_record=confirm_record,
        request=request,
    )
    day = site_today(site=site)
    now = timezone.now()
    with transaction.atomic():
        campaign = walk_in_campaign(site=site, day=day, campaign_id=campaign_id)
        participant = _walk_in_participant(
            existing=existing, campaign=campaign, **person
        )
        _refuse_booked(by=by, participant=participant, campaign=campaign, site=site)
        _refuse_ineligible(participant=participant, campaign=campaign, now=now)
        appointment = _take_walk_in_place(
            participant=participant, campaign=campaign, site=site, day=day, now=now
        )
        check_in_locked(
            appointment=appointment,
            by=by,
            via=VIA_WALK_IN,
            force=False,
            request=request,
        )
    logger.info(
        "scheduling.walk_in id=%s site=%s participant=%s",
        appointment.pk,
        site.pk,
        participant.pk,
    )
    return appointment


def walk_in_register(
    *,
    by: User,
    site: Site,
    phone: str,
    full_name: str,
    id_number: str,
    employment_type: str,
    district_code: str,
    consent: bool,
    employment_other: str = "",
    employer: str = "",
    campaign_id: int | None = None,
    confirm_record: int | None = None,
    request: HttpRequest | None = None,
) -> Appointment:
    """Register a woman who came without a booking, give her one of today's
    walk-in places and check her in: all of it, or nothing.

    A woman already on record is reused, never duplicated, when phone, ID
    number and name agree with her record; otherwise IdentityConflict, until
    the nurse confirms the record it named (`confirm_record`). Raises
    ValidationFailed, NoCampaignToday, CampaignRequired,
    AlreadyBooked (she has a booking: check that in instead), NotEligible and
    WalkInsFull.
    """
    return _walk_in_admit(
        by=by,
        site=site,
        campaign_id=campaign_id,
        confirm_record=confirm_record,
        person={
            "phone": _walk_in_phone(phone),
            "full_name": full_name,
            "id_number": id_number,
            "employment_type": employment_type,
            "employment_other": employment_other,
            "employer": employer,
            "district_code": district_code,
            "consent": consent,
        },
        request=request,
    )
