"""The clinic lead's daily digest: what stands on the failsafe list this
morning, per campaign, as one outbox message. Keyed by campaign and local day,
so the beat task running twice, or late, writes one message a day."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from notifications.services import notification_schedule
from specimens.failsafe.policy import limits_by_campaign
from specimens.failsafe_models import FailsafeItem, Tier

logger = logging.getLogger(__name__)

DIGEST_KIND = "failsafe_digest"
MESSAGE_LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class DigestRow:
    campaign_id: int
    site_id: int
    site_name: str
    remind: int
    escalate: int
    lost: int
    new_today: int

    @property
    def total(self) -> int:
        return self.remind + self.escalate + self.lost


def local_day(now: datetime) -> date:
    return timezone.localtime(now).date()


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def failsafe_digest_rows(
    *, site_ids: list[int] | None, now: datetime | None = None
) -> list[DigestRow]:
    """Open items per campaign and site and tier, with those added since the
    local midnight: the figures the digest carries."""
    now = now or timezone.now()
    since = _day_start(local_day(now))
    items = FailsafeItem.objects.filter(closed_at__isnull=True)
    if site_ids is not None:
        items = items.filter(site_id__in=site_ids)
    rows = (
        items.values("campaign_id", "site_id", "site_name")
        .annotate(
            remind=Count("id", filter=Q(tier=Tier.REMIND)),
            escalate=Count("id", filter=Q(tier=Tier.ESCALATE)),
            lost=Count("id", filter=Q(tier=Tier.LOST)),
            new_today=Count("id", filter=Q(opened_at__gte=since)),
        )
        .order_by("campaign_id", "site_name", "site_id")
    )
    return [DigestRow(**row) for row in rows]


def failsafe_digest_send(*, now: datetime | None = None) -> list[int]:
    """Write today's digest for every campaign whose limits name the clinic
    lead's phone. Returns the outbox ids (the same ones when run again)."""
    now = now or timezone.now()
    day = local_day(now)
    rows = failsafe_digest_rows(site_ids=None, now=now)
    written = []
    for campaign_id, limits in sorted(limits_by_campaign().items()):
        if not limits.digest_phone:
            continue
        mine = [row for row in rows if row.campaign_id == campaign_id]
        with transaction.atomic():
            notification = notification_schedule(
                phone=limits.digest_phone,
                kind=DIGEST_KIND,
                dedupe_key=f"failsafe-digest:{campaign_id}:{day.isoformat()}",
                context={
                    "day": day.isoformat(),
                    "remind": str(sum(r.remind for r in mine)),
                    "escalate": str(sum(r.escalate for r in mine)),
                    "lost": str(sum(r.lost for r in mine)),
                },
                # Written before 10:00 it is still today's; quiet hours may move it.
                not_after=_day_start(day + timedelta(days=1)),
                recipient_ref=f"campaign:{campaign_id}",
                language=MESSAGE_LANGUAGE,
            )
        written.append(notification.pk)
    logger.info("specimens.failsafe.digest day=%s messages=%s", day, len(written))
    return written
