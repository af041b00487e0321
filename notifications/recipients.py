"""Who can be reached how: the channel chain of one recipient.

The outbox never imports a domain model, so the app that knows the women
registers a look-up here (`recipient_reach_register`) when it starts: given a
`recipient_ref` it answers her channel order and her WeChat openid. Without a
look-up, or for a reference it does not know, a message goes by SMS alone.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from notifications.models import Channel, Kind

# Sign-in codes go to the phone she typed, and nowhere else: the code proves
# that phone. A gateway test proves SMS.
SMS_ONLY_KINDS = frozenset({Kind.OTP, Kind.TEST})
# A call is for what she must not miss: her visit, and a missed one. Results
# are never read out on a call a neighbour may hear.
VOICE_KINDS = frozenset(
    {
        Kind.BOOKING_CONFIRMED,
        Kind.RESCHEDULED,
        Kind.CANCELLED,
        Kind.REMINDER_DAY_BEFORE,
        Kind.REMINDER_SAME_DAY,
        Kind.MISSED,
        Kind.FOLLOW_UP_DUE,
    }
)
DEFAULT_ORDER = (Channel.WECHAT, Channel.SMS, Channel.VOICE)


@dataclass(frozen=True)
class Reach:
    """Her channels in the order she chose, and her openid if WeChat is bound."""

    order: tuple[str, ...] = DEFAULT_ORDER
    openid: str = ""


_lookup: Callable[[str], Reach | None] | None = None


def recipient_reach_register(lookup: Callable[[str], Reach | None]) -> None:
    """Install the look-up from a recipient reference to her Reach."""
    global _lookup
    _lookup = lookup


def _channel_on(channel: str) -> bool:
    if channel == Channel.WECHAT:
        return bool(settings.WECHAT_BACKEND)
    if channel == Channel.VOICE:
        return bool(settings.VOICE_BACKEND)
    return True


def reach_of(recipient_ref: str) -> Reach | None:
    """Her Reach, or None when no channel but SMS is on (then nobody is asked:
    the booking path pays no query for channels it cannot use)."""
    if _lookup is None or not recipient_ref:
        return None
    if not (_channel_on(Channel.WECHAT) or _channel_on(Channel.VOICE)):
        return None
    return _lookup(recipient_ref) or Reach()


def channels_for(
    *, kind: str, recipient_ref: str, reach: Reach | None = None
) -> tuple[list[str], str]:
    """The channels to try for this message, in order, and her openid: only
    those switched on here and possible for her (WeChat needs a bound openid,
    a call needs a kind worth calling about). SMS is always in the chain.
    `reach`: her Reach when the caller has it already (several messages)."""
    if kind in SMS_ONLY_KINDS:
        return [Channel.SMS], ""
    reach = reach or reach_of(recipient_ref)
    if reach is None:
        return [Channel.SMS], ""
    chain: list[str] = []
    for channel in reach.order:
        if channel in chain or not _channel_on(channel):
            continue
        if channel == Channel.WECHAT and not reach.openid:
            continue
        if channel == Channel.VOICE and kind not in VOICE_KINDS:
            continue
        chain.append(channel)
    if Channel.SMS not in chain:
        chain.append(Channel.SMS)
    return chain, reach.openid if Channel.WECHAT in chain else ""
