"""Reading her history. Every staff read is audited; her own is not."""

from typing import Any

from django.http import HttpRequest

from common.audit import audit_record
from screening.models import Campaign, Participant, Visit
from specimens.history.models import ClinicalHistory


def history_for_her(
    *, participant: Participant, campaign: Campaign
) -> ClinicalHistory | None:
    return ClinicalHistory.objects.filter(
        participant=participant, campaign=campaign
    ).first()


def history_for_visit(
    *, visit: Visit, by: Any, request: HttpRequest | None = None
) -> ClinicalHistory | None:
    """Her history for this visit's campaign, read by staff: audited."""
    history = ClinicalHistory.objects.filter(
        participant_id=visit.participant_id, campaign_id=visit.campaign_id
    ).first()
    audit_record(
        actor=by,
        action="history.viewed",
        obj_type="visit",
        obj_id=visit.pk,
        request=request,
        purpose="sampling",
    )
    return history
