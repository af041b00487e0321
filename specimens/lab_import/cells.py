"""Reading the lab's own cells: times in its local clock, rejection reasons in
its words."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from specimens.models import RejectionReason

TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
)
# A lab's clock may run a little fast; a day ahead is a typing error.
FUTURE_SLACK = timedelta(hours=1)
REASON_ALIASES = {
    **{reason: reason for reason in RejectionReason.values},
    "mislabelled": RejectionReason.UNLABELLED,
    "标签不清": RejectionReason.UNLABELLED,
    "无标签": RejectionReason.UNLABELLED,
    "未贴标签": RejectionReason.UNLABELLED,
    "标签错误": RejectionReason.UNLABELLED,
    "渗漏": RejectionReason.LEAKED,
    "漏液": RejectionReason.LEAKED,
    "样本量不足": RejectionReason.INSUFFICIENT,
    "标本量不足": RejectionReason.INSUFFICIENT,
    "细胞量不足": RejectionReason.INSUFFICIENT,
    "过期": RejectionReason.EXPIRED,
    "超时": RejectionReason.EXPIRED,
    "超时送检": RejectionReason.EXPIRED,
}


class CellError(ValueError):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def parse_time(raw: str) -> datetime | None:
    """`2026-12-03 10:15` on the lab's clock (the project's zone) or an ISO time
    with its offset; None for an empty cell; CellError otherwise."""
    text = raw.strip()
    if not text:
        return None
    when = _read(text)
    if when is None:
        raise CellError(
            gettext("“%(value)s” is not a time. Write it as 2026-12-03 10:15.")
            % {"value": text[:32]}
        )
    if timezone.is_naive(when):
        when = when.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    if when > timezone.now() + FUTURE_SLACK:
        raise CellError(
            gettext("The time %(value)s is in the future.") % {"value": text}
        )
    return when


def _read(text: str) -> datetime | None:
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)  # noqa: DTZ007 - zone set by caller
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_reason(raw: str) -> str:
    """A rejection reason code, or CellError naming the ones allowed."""
    reason = REASON_ALIASES.get(raw.strip().lower())
    if reason is None:
        raise CellError(
            gettext("“%(value)s” is not a rejection reason. Use one of: %(reasons)s.")
            % {"value": raw.strip()[:32], "reasons": ", ".join(RejectionReason.values)}
        )
    return reason
