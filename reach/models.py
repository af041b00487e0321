"""How each woman is reached: her WeChat openid and her order of channels."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.crypto import EncryptedTextField
from common.models import TimeStampedModel
from notifications.recipients import DEFAULT_ORDER
from screening.models import Participant


def default_order() -> list[str]:
    return [str(channel) for channel in DEFAULT_ORDER]


class ReachProfile(TimeStampedModel):
    """One per woman who bound WeChat or chose her channels.

    The openid is encrypted like her phone and found by its keyed hash; it is
    never shown to anyone, her included (it means nothing to her)."""

    KEYED_HASHES = {"openid_hash": ("openid", "wechat")}

    participant = models.OneToOneField(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="reach_profile",
    )
    openid = EncryptedTextField(_("WeChat openid"), null=True, blank=True)
    openid_hash = models.CharField(
        _("WeChat openid hash"), max_length=64, null=True, blank=True, unique=True
    )
    wechat_bound_at = models.DateTimeField(_("WeChat bound at"), null=True, blank=True)
    channel_order = models.JSONField(_("channel order"), default=default_order)

    class Meta:
        verbose_name = _("reach profile")
        verbose_name_plural = _("reach profiles")

    def __str__(self) -> str:
        return f"reach:{self.participant_id}"
