"""Saving her history: by her before the visit, confirmed by the nurse at it.

Both write the one row of her campaign (a unique constraint), through
update_or_create inside transaction.atomic(), so her phone and the desk saving
at the same moment leave one history, the last word kept.
"""

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from common.audit import audit_record
from screening.models import Campaign, Participant, Visit
from specimens.errors import StatusChanged
from specimens.history.models import ClinicalHistory

logger = logging.getLogger(__name__)


def _upsert(participant_id: int, campaign_id: int, values: dict[str, Any]) -> Any:
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return ClinicalHistory.objects.update_or_create(
                    participant_id=participant_id,
                    campaign_id=campaign_id,
                    defaults=values,
                )[0]
        except IntegrityError:
            # Two first saves at once: the other made the row; update it.
            continue
    raise StatusChanged


@transaction.atomic
def history_save_by_her(
    *, participant: Participant, campaign: Campaign, answers: list[dict[str, str]]
) -> ClinicalHistory:
    """Her answers before the visit. Once the nurse has confirmed them they are
    the visit's record, and her phone no longer changes them (StatusChanged)."""
    # Locked, so the nurse confirming at this moment is never overwritten by
    # a save from her phone that read the row before the confirmation.
    existing = (
        ClinicalHistory.objects.select_for_update()
        .filter(participant=participant, campaign=campaign)
        .first()
    )
    if existing is not None and existing.confirmed_at is not None:
        raise StatusChanged
    now = timezone.now()
    history = _upsert(
        participant.pk,
        campaign.pk,
        {"answers": answers, "filled_at": now, "updated_at": now},
    )
    audit_record(
        actor=None,
        action="history.filled",
        obj_type="clinical_history",
        obj_id=history.pk,
        details={"participant": participant.pk, "answered": len(answers)},
    )
    logger.info("history.filled id=%s", history.pk)
    return history


@transaction.atomic
def history_confirm(
    *, visit: Visit, answers: list[dict[str, str]], by: Any
) -> ClinicalHistory:
    """The nurse's word at the sampling step: her answers, as corrected, are
    the visit's history. The audit names which answers changed, never values."""
    # Locked, so her phone's save and this confirmation queue, not interleave.
    before = (
        ClinicalHistory.objects.select_for_update()
        .filter(participant_id=visit.participant_id, campaign_id=visit.campaign_id)
        .first()
    )
    old = {e["key"]: e["answer"] for e in (before.answers if before else None) or []}
    new = {e["key"]: e["answer"] for e in answers}
    changed = sorted(
        key for key in old.keys() | new.keys() if old.get(key) != new.get(key)
    )
    now = timezone.now()
    history = _upsert(
        visit.participant_id,
        visit.campaign_id,
        {
            "answers": answers,
            "confirmed_at": now,
            "confirmed_by": by if getattr(by, "is_authenticated", False) else None,
            "visit": visit,
            "updated_at": now,
        },
    )
    audit_record(
        actor=by,
        action="history.confirmed",
        obj_type="clinical_history",
        obj_id=history.pk,
        details={"visit": visit.pk, "changed": changed},
    )
    return history
