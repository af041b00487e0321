from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from common.crypto import keyed_hash_candidates
from screening.authentication import PhoneIdentity
from screening.eligibility import Reason, eligibility_reasons
from screening.errors import CampaignRequired, CampaignUnavailable, NotRegistered
from screening.models import (
    Campaign,
    CampaignStatus,
    Consent,
    ConsentPurpose,
    Participant,
)
from screening.recall.eligibility import recall_reasons
from screening.results.history import (
    visit_results_current,
    visit_results_history,
    visit_results_notes,
)
from screening.results.review_window import (
    result_ready_pending,
    result_review_minutes,
)
from screening.results.selectors import (
    OUTCOME_KEYS,
    follow_up_get,
    follow_up_last_attempts,
    follow_up_worklist,
    outcome_atoms,
    outcome_counts,
    result_code_labels,
    result_import_get,
    visit_for_appointment,
    visits_missing_results,
    visits_with_results_for_participant,
)
from screening.results.undo import results_undo_window_open

__all__ = [
    "OUTCOME_KEYS",
    "campaign_get_for_registration",
    "campaign_list_public",
    "follow_up_get",
    "follow_up_last_attempts",
    "follow_up_worklist",
    "outcome_atoms",
    "outcome_counts",
    "participant_eligibility",
    "participant_get_for_identity",
    "participant_has_consent",
    "result_code_labels",
    "result_import_get",
    "result_ready_pending",
    "result_review_minutes",
    "results_undo_window_open",
    "visit_for_appointment",
    "visit_results_current",
    "visit_results_history",
    "visit_results_notes",
    "visits_missing_results",
    "visits_with_results_for_participant",
]


def campaign_list_public() -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(status=CampaignStatus.OPEN)
        .prefetch_related("districts")
        .order_by("starts_on", "id")
    )


def campaign_get_for_registration(*, campaign_id: int | None) -> Campaign:
    """The open campaign she registers for: the one asked for, or else the only
    one open. Raises CampaignUnavailable or CampaignRequired."""
    campaigns = Campaign.objects.filter(status=CampaignStatus.OPEN)
    if campaign_id is not None:
        campaign = campaigns.filter(pk=campaign_id).first()
        if campaign is None:
            raise CampaignUnavailable
        return campaign
    # Two rows are enough to know there is more than one.
    open_campaigns = list(campaigns.order_by("id")[:2])
    if not open_campaigns:
        raise CampaignUnavailable
    if len(open_campaigns) > 1:
        raise CampaignRequired
    return open_campaigns[0]


def participant_get_for_identity(*, identity: PhoneIdentity) -> Participant:
    """The participant registered with the identity's phone, or NotRegistered.

    A token issued before she registered may not carry her yet; the phone hash
    still finds her.
    """
    if identity.participant is not None:
        return identity.participant
    participant = (
        Participant.objects.select_related("district")
        .filter(phone_hash=identity.phone_hash)
        .first()
    )
    if participant is None:
        raise NotRegistered
    return participant


def participant_has_consent(
    *, participant: Participant, purpose: str = ConsentPurpose.HEALTH_DATA
) -> bool:
    """Whether she has a consent for `purpose` that she has not withdrawn."""
    return Consent.objects.filter(
        participant=participant, purpose=purpose, withdrawn_at__isnull=True
    ).exists()


def participant_eligibility(
    *,
    participant: Participant,
    campaign: Campaign,
    now: datetime,
    quota_used: int,
    has_active_appointment: bool,
) -> list[Reason]:
    """Every reason she cannot book in `campaign`; the caller counts the bookings."""
    reasons = eligibility_reasons(
        campaign=campaign,
        sex=participant.sex,
        birth_date=participant.birth_date,
        now=now,
        quota_used=quota_used,
        has_active_appointment=has_active_appointment,
        consent_given=participant_has_consent(participant=participant),
    )
    # Her deferral and cease records (screening.recall).
    return reasons + recall_reasons(
        participant_id=participant.pk, today=timezone.localdate(now)
    )


def id_number_registered(*, id_number: str) -> bool:
    """Whether a woman is registered with this (already checked) ID number, under
    the current hash key or one being rotated out."""
    return Participant.objects.filter(
        id_hash__in=keyed_hash_candidates(id_number, purpose="id")
    ).exists()
