"""The retention schedule (PIPL art. 19, DOMAIN §4.3), run nightly by beat.

- A participant is anonymised RETENTION_DAYS_AFTER_CAMPAIGN days after the last
  day of the last campaign she booked or was screened in (or, with neither, after
  she registered), unless a follow-up case of hers is still open.
- Held deletion requests whose follow-up has ended are finished.
- Sign-in codes and their rate-limit rows go after a day, expired sign-in tokens
  and expired page sessions at once.
- Outbox rows lose the phone number after MESSAGE_LOG_RETENTION_DAYS.
- Lab import files that outlived their run, and row errors after
  RESULT_IMPORT_ERRORS_DAYS (screening.results.import_retention).
- Aggregates (anonymised participants, appointments, results) and audit events
  (ids only, append-only) stay.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, astuple, dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from notifications.privacy import notifications_mask_older_than
from screening.models import (
    FOLLOW_UP_ENDED,
    FollowUpCase,
    OtpChallenge,
    OtpRateScope,
    Participant,
    ParticipantToken,
)
from screening.privacy import (
    deletion_requests_finish,
    participant_anonymise_for_retention,
    participant_legal_hold,
)
from screening.results.import_retention import result_imports_purge

logger = logging.getLogger(__name__)

OTP_KEEP = timedelta(days=1)
DEFAULT_RETENTION_DAYS = 180
DEFAULT_MESSAGE_LOG_DAYS = 365


@dataclass
class PurgeCounts:
    participants_anonymised: int = 0
    deletion_requests_finished: int = 0
    otp_challenges_deleted: int = 0
    otp_rate_rows_deleted: int = 0
    tokens_deleted: int = 0
    sessions_deleted: int = 0
    messages_masked: int = 0
    import_files_erased: int = 0
    import_errors_erased: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _retention_days() -> int:
    return int(
        getattr(settings, "RETENTION_DAYS_AFTER_CAMPAIGN", DEFAULT_RETENTION_DAYS)
    )


def _message_log_days() -> int:
    return int(
        getattr(settings, "MESSAGE_LOG_RETENTION_DAYS", DEFAULT_MESSAGE_LOG_DAYS)
    )


def _has_relation(name: str) -> bool:
    return any(
        relation.get_accessor_name() == name
        for relation in Participant._meta.related_objects
    )


def participants_due_for_anonymisation() -> QuerySet[Participant]:
    """Not yet anonymised, and every campaign she is linked to ended long enough
    ago. Bookings are reached through the reverse relation scheduling declares,
    so this module imports nothing from it."""
    cutoff = timezone.localdate() - timedelta(days=_retention_days())
    cutoff_moment = timezone.now() - timedelta(days=_retention_days())
    participants = Participant.objects.filter(anonymised_at__isnull=True)
    ends = []
    for relation in ("visits", "appointments"):
        if _has_relation(relation):
            name = f"last_{relation}_end"
            participants = participants.annotate(
                **{name: Max(f"{relation}__campaign__ends_on")}
            )
            ends.append(name)
    linked = Q()
    for name in ends:
        linked &= Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__lt": cutoff})
    never_linked = Q(created_at__lt=cutoff_moment)
    for name in ends:
        never_linked &= Q(**{f"{name}__isnull": True})
    some_link = Q(pk__in=[])
    for name in ends:
        some_link |= Q(**{f"{name}__isnull": False})
    participants = participants.filter(linked & (some_link | never_linked))
    open_cases = FollowUpCase.objects.exclude(status__in=FOLLOW_UP_ENDED)
    participants = participants.exclude(pk__in=open_cases.values("participant_id"))
    return participants.order_by("pk")


def _participants_anonymised(*, dry_run: bool) -> int:
    """Anonymise the women past their keeping time and not on a legal hold;
    how many (with `dry_run`, how many would be)."""
    anonymised = 0
    due_ids = list(participants_due_for_anonymisation().values_list("pk", flat=True))
    for participant_id in due_ids:
        participant = Participant.objects.get(pk=participant_id)
        # Results waiting for their summary may still open a follow-up case.
        if participant_legal_hold(participant=participant):
            continue
        if dry_run or participant_anonymise_for_retention(
            participant_id=participant_id
        ):
            anonymised += 1
    return anonymised


def purge_expired(*, dry_run: bool = False) -> PurgeCounts:
    """Apply the retention schedule; with `dry_run`, only count."""
    now = timezone.now()
    counts = PurgeCounts()

    counts.participants_anonymised = _participants_anonymised(dry_run=dry_run)
    counts.deletion_requests_finished = deletion_requests_finish(dry_run=dry_run)
    imports = result_imports_purge(dry_run=dry_run)
    counts.import_files_erased, counts.import_errors_erased = astuple(imports)

    challenges = OtpChallenge.objects.filter(created_at__lt=now - OTP_KEEP)
    recent_keys = OtpChallenge.objects.filter(created_at__gte=now - OTP_KEEP)
    scopes = (
        OtpRateScope.objects.filter(created_at__lt=now - OTP_KEEP)
        .exclude(key_hash__in=recent_keys.values("phone_hash"))
        .exclude(key_hash__in=recent_keys.exclude(ip_hash="").values("ip_hash"))
    )
    tokens = ParticipantToken.objects.filter(expires_at__lte=now)
    sessions = Session.objects.filter(expire_date__lte=now)
    message_cutoff = now - timedelta(days=_message_log_days())
    if dry_run:
        counts.otp_challenges_deleted = challenges.count()
        counts.otp_rate_rows_deleted = scopes.count()
        counts.tokens_deleted = tokens.count()
        counts.sessions_deleted = sessions.count()
        counts.messages_masked = notifications_mask_older_than(
            cutoff=message_cutoff, dry_run=True
        )
        return counts

    counts.otp_challenges_deleted = challenges.delete()[0]
    with transaction.atomic():
        # A scope row a sign-in request holds right now is skipped, not waited for.
        scope_ids = list(
            scopes.select_for_update(skip_locked=True).values_list("pk", flat=True)
        )
        counts.otp_rate_rows_deleted = OtpRateScope.objects.filter(
            pk__in=scope_ids
        ).delete()[0]
    counts.tokens_deleted = tokens.delete()[0]
    counts.sessions_deleted = sessions.delete()[0]
    counts.messages_masked = notifications_mask_older_than(cutoff=message_cutoff)
    logger.info("retention.purged %s", counts.as_dict())
    return counts
