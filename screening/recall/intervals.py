"""From a matched summary rule's interval to a date: pure functions.

DOMAIN §6.3 (defaults, editable per rule): HPV negative 5 years; cytology NILM
alone 3 years; HPV other types with NILM 12 months; BI-RADS 1-2 the campaign's
breast interval; BI-RADS 3 six months; REFER and above no routine date until
the follow-up case closes.
"""

import calendar
from dataclasses import dataclass
from datetime import date

BREAST_TESTS = frozenset({"cbe", "breast_ultrasound", "mammography"})
CERVIX_TESTS = frozenset({"hpv", "cytology"})


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


@dataclass(frozen=True)
class Interval:
    kind: str  # "months", "campaign_breast", "after_follow_up", "" (none set)
    months: int | None = None


def due_on(
    *,
    visit_day: date,
    interval: Interval,
    campaign_breast_months: int,
    follow_up_closed_on: date | None,
) -> date | None:
    """Her next-due date for one test, or None: no routine date yet (her
    follow-up is still open) or no interval set for the rule."""
    if interval.kind == "months" and interval.months:
        return add_months(visit_day, interval.months)
    if interval.kind == "campaign_breast":
        return add_months(visit_day, campaign_breast_months)
    if interval.kind == "after_follow_up":
        # Once the case closes she is back in the routine: due from that day.
        return follow_up_closed_on
    return None


def default_interval(*, test: str, code: str, conclusion: str) -> Interval:
    """The draft of DOMAIN §6.3 for a rule, for the seed and for new rules."""
    if conclusion in ("REFER", "PRECANCER", "CANCER"):
        return Interval("after_follow_up")
    if code == "BIRADS_3":
        return Interval("months", 6)
    if conclusion in ("RECALL", "DEFERRED"):
        return Interval("months", 12 if conclusion == "RECALL" else 6)
    if test in BREAST_TESTS:
        return Interval("campaign_breast")
    if test == "hpv":
        return Interval("months", 60)
    return Interval("months", 36)
