"""Signing in by SMS code: the codes, their rate scopes and the tokens they give."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.crypto import EncryptedTextField
from screening.models.participants import Participant


class ParticipantToken(models.Model):
    """A bearer token from the SMS-code exchange. Only its hash is stored; it proves
    a phone, and the participant once she has registered."""

    KEYED_HASHES = {"phone_hash": ("phone", "phone")}

    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    phone = EncryptedTextField(_("phone"))
    phone_hash = models.CharField(_("phone hash"), max_length=64, db_index=True)
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tokens",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    # When she entered the SMS code this token descends from: renewals carry it
    # over, and stop RENEWAL_LIMIT after it (screening.tokens).
    signed_in_at = models.DateTimeField(_("signed in at"), default=timezone.now)

    class Meta:
        verbose_name = _("sign-in token")
        verbose_name_plural = _("sign-in tokens")

    def __str__(self) -> str:
        return f"token {self.pk}"


class OtpChallenge(models.Model):
    """One SMS code sent to one phone. Only a keyed hash of the code is stored.

    The rows double as the send log the rate limits count, so each one also keeps
    a keyed hash of the IP address the request came from.
    """

    phone_hash = models.CharField(_("phone hash"), max_length=64)
    ip_hash = models.CharField(_("IP address hash"), max_length=64, blank=True)
    code_hash = models.CharField(_("code hash"), max_length=64)
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["phone_hash", "created_at"]),
            models.Index(
                fields=["ip_hash", "created_at"],
                name="otpchallenge_ip_idx",
                condition=~Q(ip_hash=""),
            ),
        ]

    def __str__(self) -> str:
        return f"code {self.pk}"


class OtpRateScope(models.Model):
    """A row to lock: one per phone and one per IP address (both hashed).

    Holding it while counting the recent codes and writing the next one makes
    "count, decide, send" a single step for that phone or address.
    """

    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("sign-in code rate scope")
        verbose_name_plural = _("sign-in code rate scopes")

    def __str__(self) -> str:
        return f"scope {self.pk}"
