"""Who a batch invites and who it leaves out, and why: set-based, so a batch of
100,000 women is drafted in seconds (bench/invitation_draft.py)."""

from datetime import date

from django.db.models import Exists, OuterRef, Q

from scheduling.invitations.models import Invitation, InvitationStatus
from scheduling.models import ACTIVE_STATUSES, Appointment
from screening.models import Participant, Visit
from screening.recall.models import Cease, Deferral
from screening.recall.selectors import next_due_register

CEASE_EXCLUSION = {"opted_out": "opted_out", "moved_away": "moved_away"}


def due_ids(*, today: date, due_by: date) -> set[int]:
    return {r.participant_id for r in next_due_register(today=today, due_by=due_by)}


def never_screened_ids() -> set[int]:
    screened = Visit.objects.filter(undone_at__isnull=True).values("participant_id")
    return set(
        Participant.objects.filter(anonymised_at__isnull=True)
        .exclude(pk__in=screened)
        .values_list("pk", flat=True)
    )


def deferral_ended_ids(*, today: date) -> set[int]:
    """Women whose deferral has ended and who were not screened since it began:
    the end of a deferral puts her back in the next batch."""
    screened_since = Visit.objects.filter(
        participant_id=OuterRef("participant_id"),
        undone_at__isnull=True,
        day__gte=OuterRef("starts_on"),
    )
    return set(
        Deferral.objects.filter(withdrawn_at__isnull=True, ends_on__lte=today)
        .exclude(Exists(screened_since))
        .values_list("participant_id", flat=True)
    )


def non_responder_ids(*, campaign_id: int) -> set[int]:
    return set(
        Invitation.objects.filter(status=InvitationStatus.NON_RESPONDER)
        .exclude(batch__campaign_id=campaign_id)
        .values_list("participant_id", flat=True)
    )


def exclusions(*, campaign_id: int, today: date) -> dict[int, str]:
    """participant -> why she is not invited (the last word wins in this order:
    deferred, already booked, then a cease with its reason)."""
    why: dict[int, str] = {}
    for pid in Deferral.objects.filter(
        withdrawn_at__isnull=True, ends_on__gt=today
    ).values_list("participant_id", flat=True):
        why[pid] = "deferred"
    for pid in Appointment.objects.filter(
        campaign_id=campaign_id, status__in=ACTIVE_STATUSES
    ).values_list("participant_id", flat=True):
        why[pid] = "already_booked"
    live = Cease.objects.filter(withdrawn_at__isnull=True, scope="all").filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=today)
    )
    for pid, reason in live.values_list("participant_id", "reason"):
        why[pid] = CEASE_EXCLUSION.get(reason, "ceased")
    return why
