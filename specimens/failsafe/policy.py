"""Each campaign's failsafe limits, read once per sweep or page."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from specimens.failsafe_models import (
    DEFAULT_ESCALATE_DAYS,
    DEFAULT_LOST_DAYS,
    DEFAULT_REMIND_DAYS,
    FailsafePolicy,
    Tier,
)


@dataclass(frozen=True)
class Limits:
    remind_days: int = DEFAULT_REMIND_DAYS
    escalate_days: int = DEFAULT_ESCALATE_DAYS
    lost_days: int = DEFAULT_LOST_DAYS
    digest_phone: str = ""

    def days(self, tier: int) -> int:
        return {
            Tier.REMIND: self.remind_days,
            Tier.ESCALATE: self.escalate_days,
            Tier.LOST: self.lost_days,
        }[Tier(tier)]

    def cutoff(self, tier: int, now: datetime) -> datetime:
        """Tubes collected at or before this moment have reached `tier`: a tube
        is on it once the whole number of days has passed since collection."""
        return now - timedelta(days=self.days(tier))

    def tier_at(self, age: timedelta) -> int | None:
        """The tier a tube of this age stands on, or None while it is not due."""
        for tier in (Tier.LOST, Tier.ESCALATE, Tier.REMIND):
            if age >= timedelta(days=self.days(tier)):
                return int(tier)
        return None


DEFAULT_LIMITS = Limits()


def limits_by_campaign(campaign_ids: list[int] | None = None) -> dict[int, Limits]:
    """Limits of the campaigns that set their own; any other uses DEFAULT_LIMITS."""
    policies = FailsafePolicy.objects.all()
    if campaign_ids is not None:
        policies = policies.filter(campaign_id__in=campaign_ids)
    return {
        p.campaign_id: Limits(
            p.remind_days, p.escalate_days, p.lost_days, p.digest_phone or ""
        )
        for p in policies
    }


def limits_for(campaign_id: int) -> Limits:
    return limits_by_campaign([campaign_id]).get(campaign_id, DEFAULT_LIMITS)
