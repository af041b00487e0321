"""Writes of recall: deferral and cease, each a record with reason and end.

Her own deferral (on her phone) needs no audit trail beyond the record; staff
recording one for her, or a cease, is audited (common.audit).
"""

import logging
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from common.audit import audit_record
from screening.models import Participant
from screening.recall.errors import DeferralNotAllowed
from screening.recall.intervals import add_months
from screening.recall.models import (
    DEFERRAL_MAX_MONTHS,
    DEFERRAL_STEP_MONTHS,
    Cease,
    CeaseReason,
    CeaseScope,
    Deferral,
    DeferralReason,
)

logger = logging.getLogger(__name__)


@transaction.atomic
def deferral_record(
    *,
    participant: Participant,
    reason: str,
    months: int,
    by: Any | None = None,
    today: date | None = None,
) -> Deferral:
    """Defer her from `today` for `months` (6, 12 or 18; DeferralNotAllowed
    otherwise). A live deferral of hers is replaced, so she has one at most."""
    if (
        months not in range(DEFERRAL_STEP_MONTHS, DEFERRAL_MAX_MONTHS + 1, 6)
        or reason not in DeferralReason.values
    ):
        raise DeferralNotAllowed
    now = timezone.now()
    today = today or timezone.localdate()
    Deferral.objects.filter(
        participant=participant, withdrawn_at__isnull=True, ends_on__gt=today
    ).update(withdrawn_at=now)
    deferral = Deferral.objects.create(
        participant=participant,
        reason=reason,
        months=months,
        starts_on=today,
        ends_on=add_months(today, months),
        recorded_by=by,
        created_at=now,
    )
    if by is not None:
        audit_record(
            actor=by,
            action="recall.deferral.record",
            obj_type="participant",
            obj_id=participant.pk,
            details={"deferral": deferral.pk, "reason": reason, "months": months},
        )
    logger.info("recall.deferred participant=%s months=%s", participant.pk, months)
    return deferral


@transaction.atomic
def deferral_withdraw(*, participant: Participant, by: Any | None = None) -> int:
    """End her live deferral now: she may book again. Returns rows ended."""
    ended = Deferral.objects.filter(
        participant=participant,
        withdrawn_at__isnull=True,
        ends_on__gt=timezone.localdate(),
    ).update(withdrawn_at=timezone.now())
    if ended and by is not None:
        audit_record(
            actor=by,
            action="recall.deferral.withdraw",
            obj_type="participant",
            obj_id=participant.pk,
        )
    return ended


@transaction.atomic
def cease_record(
    *,
    participant: Participant,
    reason: str,
    scope: str,
    by: Any,
    ends_on: date | None = None,
) -> Cease:
    """Stop inviting her (to one screening or all), for good or until
    `ends_on`; always by staff, always audited."""
    if reason not in CeaseReason.values or scope not in CeaseScope.values:
        raise ValueError("unknown cease reason or scope")
    cease = Cease.objects.create(
        participant=participant,
        reason=reason,
        scope=scope,
        ends_on=ends_on,
        recorded_by=by,
        created_at=timezone.now(),
    )
    audit_record(
        actor=by,
        action="recall.cease.record",
        obj_type="participant",
        obj_id=participant.pk,
        details={"cease": cease.pk, "reason": reason, "scope": scope},
    )
    return cease
