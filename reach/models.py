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


class AssistedStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for her code")
    CONFIRMED = "confirmed", _("Confirmed by her")
    ABANDONED = "abandoned", _("Not confirmed")


class AssistedSignup(TimeStampedModel):
    """A sign-up a union steward started beside a woman. Her details wait here,
    encrypted, until she confirms with the code sent to her own phone; then
    they are erased from this row (they live on her record) and only the
    steward, the time and the outcome remain, for her data page and for the
    steward's counts."""

    steward = models.ForeignKey(
        "accounts.User",
        verbose_name=_("steward"),
        on_delete=models.PROTECT,
        related_name="assisted_signups",
    )
    campaign = models.ForeignKey(
        "screening.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT
    )
    phone = EncryptedTextField(_("phone"))
    # The profile she gave, ID number included: never shown again, erased on
    # confirmation or when abandoned.
    draft = EncryptedTextField(_("profile waiting"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AssistedStatus.choices,
        default=AssistedStatus.WAITING,
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assisted_signups",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assisted sign-up")
        verbose_name_plural = _("assisted sign-ups")
        indexes = [
            # The steward's counts: her own rows by status.
            models.Index(fields=["steward", "status"], name="assisted_steward_idx")
        ]

    def __str__(self) -> str:
        return f"assisted:{self.pk}"
