"""Reads: her reach for the outbox, and who an openid belongs to."""

from common.crypto import keyed_hash_candidates
from notifications.models import Channel
from notifications.recipients import DEFAULT_ORDER, Reach
from reach.models import ReachProfile
from screening.models import Participant

_PREFIX = "participant:"


def reach_for_recipient(recipient_ref: str) -> Reach | None:
    """Her channel order and openid for a `participant:<id>` reference; None
    for anything else (the outbox then sends by SMS alone)."""
    if not recipient_ref.startswith(_PREFIX):
        return None
    try:
        participant_id = int(recipient_ref[len(_PREFIX) :])
    except ValueError:
        return None
    profile = (
        ReachProfile.objects.filter(participant_id=participant_id)
        .only("openid", "channel_order")
        .first()
    )
    if profile is None:
        return Reach(order=DEFAULT_ORDER)
    order = tuple(c for c in profile.channel_order if c in Channel.values)
    return Reach(order=order or DEFAULT_ORDER, openid=profile.openid or "")


def participant_for_openid(openid: str) -> Participant | None:
    """The woman this openid was bound to, unless she has since been anonymised."""
    profile = (
        ReachProfile.objects.select_related("participant")
        .filter(
            openid_hash__in=keyed_hash_candidates(openid, purpose="wechat"),
            participant__anonymised_at__isnull=True,
        )
        .first()
    )
    return profile.participant if profile else None


def channel_order_of(participant: Participant) -> list[str]:
    profile = ReachProfile.objects.filter(participant=participant).first()
    if profile is None:
        return [str(c) for c in DEFAULT_ORDER]
    return list(profile.channel_order)


def wechat_bound(participant: Participant) -> bool:
    return ReachProfile.objects.filter(
        participant=participant, openid_hash__isnull=False
    ).exists()
