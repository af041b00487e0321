"""Invitation batches: draft, review, approve, send, and mark who answered.

Each step is audited; messages go through the outbox with one dedupe key per
invitation (and one for its reminder), so a step run twice sends nothing twice.
"""

import logging
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from common.audit import audit_record
from notifications.services import (
    Addressed,
    Scheduled,
    notifications_cancel_pending,
    notifications_schedule_bulk,
)
from scheduling.invitations import drafting
from scheduling.invitations.models import (
    BatchStatus,
    Invitation,
    InvitationBatch,
    InvitationStatus,
)
from scheduling.models import ACTIVE_STATUSES, Appointment
from screening.models import Campaign

logger = logging.getLogger(__name__)

REMINDER_AFTER = timedelta(days=7)
CHUNK = 5000
# Invitations per send transaction: two outbox rows each, a few INSERTs.
SEND_CHUNK = 2000


def _audit(by: Any, action: str, batch: InvitationBatch, **details: Any) -> None:
    audit_record(
        actor=by,
        action=f"invitations.{action}",
        obj_type="invitation_batch",
        obj_id=batch.pk,
        details=details,
    )


def batch_draft(
    *,
    campaign: Campaign,
    by: Any,
    due_by: date | None,
    never_screened: bool = True,
    non_responders: bool = True,
    today: date | None = None,
) -> InvitationBatch:
    """Draft the batch: every woman due by `due_by`, never screened, or who did
    not respond last time, each either to invite or excluded with a reason."""
    today = today or timezone.localdate()
    wanted: set[int] = set()
    if due_by is not None:
        wanted |= drafting.due_ids(today=today, due_by=due_by)
    if never_screened:
        wanted |= drafting.never_screened_ids()
    if non_responders:
        wanted |= drafting.non_responder_ids(campaign_id=campaign.pk)
    wanted |= drafting.deferral_ended_ids(today=today)
    why = drafting.exclusions(campaign_id=campaign.pk, today=today)
    with transaction.atomic():
        batch = InvitationBatch.objects.create(
            campaign=campaign,
            due_by=due_by,
            never_screened=never_screened,
            non_responders=non_responders,
            created_by=by,
            created_at=timezone.now(),
        )
        rows = [
            Invitation(
                batch=batch,
                participant_id=pid,
                status=InvitationStatus.EXCLUDED if pid in why else "drafted",
                exclusion=why.get(pid, ""),
            )
            for pid in sorted(wanted)
        ]
        Invitation.objects.bulk_create(rows, batch_size=CHUNK)
        _audit(
            by,
            "draft",
            batch,
            women=len(rows),
            excluded=sum(r.exclusion != "" for r in rows),
        )
    logger.info("invitations.drafted batch=%s rows=%s", batch.pk, len(rows))
    return batch


def batch_approve(*, batch: InvitationBatch, by: Any) -> bool:
    """Approve a draft (compare-and-swap: approving twice approves once) and
    start sending it after the commit. Returns whether this call approved it."""
    from common.enqueue import task_named

    with transaction.atomic():
        approved = InvitationBatch.objects.filter(
            pk=batch.pk, status=BatchStatus.DRAFT
        ).update(
            status=BatchStatus.APPROVED, approved_by=by, approved_at=timezone.now()
        )
        if approved:
            _audit(by, "approve", batch)
            transaction.on_commit(
                lambda: task_named("invitations.send_batch").delay(batch.pk)
            )
    return bool(approved)


def _messages(invitation: Invitation, campaign: Campaign, now) -> list[Scheduled]:
    key = f"invitation:{invitation.pk}"
    context = {"campaign": str(campaign.pk), "name": campaign.name}
    return [
        Scheduled(kind="invitation", dedupe_key=key, context=context),
        Scheduled(
            kind="invitation_reminder",
            dedupe_key=f"{key}:reminder",
            context=context,
            send_at=now + REMINDER_AFTER,
        ),
    ]


def _send_chunk(batch: InvitationBatch, zone: ZoneInfo) -> int:
    """Write the outbox rows of the next chunk of drafted invitations and mark
    them sent, all in one transaction: a crash leaves both undone."""
    with transaction.atomic():
        # SKIP LOCKED: two senders side by side (a retried task beside the
        # first) take different rows instead of waiting to send the same ones.
        chunk = list(
            Invitation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(batch_id=batch.pk, status="drafted")
            .select_related("participant")
            # Her phone alone: every other sealed field would be decrypted for nothing.
            .only("id", "participant_id", "participant__phone")
            .order_by("id")[:SEND_CHUNK]
        )
        if not chunk:
            return 0
        now = timezone.now()
        notifications_schedule_bulk(
            recipients=(
                Addressed(
                    phone=invitation.participant.phone,
                    recipient_ref=f"participant:{invitation.participant_id}",
                    messages=tuple(_messages(invitation, batch.campaign, now)),
                )
                for invitation in chunk
            ),
            language="zh-hans",
            zone=zone,
        )
        Invitation.objects.filter(pk__in=[i.pk for i in chunk]).update(
            status=InvitationStatus.SENT, sent_at=now
        )
    return len(chunk)


def batch_send(*, batch_id: int) -> int:
    """Write each drafted invitation and its one reminder to the outbox in bulk,
    a chunk per transaction. Safe to run twice: a row is sent once (status and
    dedupe key). Returns the invitations sent by this call."""
    batch = (
        InvitationBatch.objects.select_related("campaign").filter(pk=batch_id).first()
    )
    if batch is None or batch.status == BatchStatus.DRAFT:
        return 0
    sent = 0
    zone = ZoneInfo("Asia/Shanghai")
    while written := _send_chunk(batch, zone):
        sent += written
    InvitationBatch.objects.filter(pk=batch_id, status=BatchStatus.APPROVED).update(
        status=BatchStatus.SENT
    )
    return sent


def invitations_sweep(*, now=None) -> tuple[int, int]:
    """Those who booked are marked (their reminder cancelled); those who did not
    within the batch's days become non-responders. Safe to run twice."""
    now = now or timezone.now()
    booked = Appointment.objects.filter(status__in=ACTIVE_STATUSES)
    responded = 0
    for invitation in Invitation.objects.filter(
        status=InvitationStatus.SENT
    ).select_related("batch"):
        if booked.filter(
            participant_id=invitation.participant_id,
            campaign_id=invitation.batch.campaign_id,
        ).exists():
            with transaction.atomic():
                Invitation.objects.filter(pk=invitation.pk, status="sent").update(
                    status=InvitationStatus.RESPONDED
                )
                notifications_cancel_pending(
                    dedupe_key_prefix=f"invitation:{invitation.pk}:"
                )
            responded += 1
    lapsed = 0
    for batch in InvitationBatch.objects.filter(status=BatchStatus.SENT):
        lapsed += Invitation.objects.filter(
            batch=batch,
            status=InvitationStatus.SENT,
            sent_at__lte=now - timedelta(days=batch.respond_days),
        ).update(status=InvitationStatus.NON_RESPONDER)
    return responded, lapsed
