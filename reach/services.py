"""Writes: binding her WeChat openid, her channel order."""

import logging

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from common.audit import audit_record
from common.crypto import keyed_hash
from common.errors import ApplicationError, Conflict
from notifications.models import Channel
from reach.models import ReachProfile
from screening.models import Participant

logger = logging.getLogger(__name__)


def wechat_bind(
    *, participant: Participant, openid: str, request: HttpRequest | None = None
) -> ReachProfile:
    """Bind `openid` to her after she proved her phone with a code. An openid
    bound to another record before (a number changed hands) moves to her: the
    WeChat account is whoever just proved the phone. Audited."""
    openid_hash = keyed_hash(openid, purpose="wechat")
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                # The unique openid_hash is what stops two records holding one
                # WeChat account: a concurrent bind of the same openid fails
                # the INSERT/UPDATE below and is tried once more.
                ReachProfile.objects.filter(openid_hash=openid_hash).exclude(
                    participant=participant
                ).update(openid=None, openid_hash=None, wechat_bound_at=None)
                profile, _created = ReachProfile.objects.update_or_create(
                    participant=participant,
                    defaults={
                        "openid": openid,
                        "openid_hash": openid_hash,
                        "wechat_bound_at": now,
                    },
                )
                audit_record(
                    actor=None,
                    action="participant.wechat_bound",
                    obj_type="participant",
                    obj_id=participant.pk,
                    request=request,
                )
                return profile
        except IntegrityError:
            logger.info("reach.bind_retry participant=%s", participant.pk)
    raise Conflict("Please try again.", code="wechat_bind_conflict")


def wechat_unbind(*, participant: Participant) -> bool:
    return bool(
        ReachProfile.objects.filter(participant=participant).update(
            openid=None, openid_hash=None, wechat_bound_at=None
        )
    )


def channel_order_set(*, participant: Participant, order: list[str]) -> list[str]:
    """Her order of channels; unknown ones are refused, SMS stays in the chain."""
    if (
        not order
        or len(set(order)) != len(order)
        or not set(order) <= set(Channel.values)
    ):
        raise ApplicationError(
            "Choose each channel once.", code="invalid_channel_order"
        )
    if Channel.SMS not in order:
        order = [*order, Channel.SMS]
    with transaction.atomic():
        ReachProfile.objects.update_or_create(
            participant=participant, defaults={"channel_order": order}
        )
    return order
