"""The failsafe's rows: each campaign's limits, one worklist item per overdue
tube, and the recall a lost tube opens for the woman. Imported from
specimens.models, so Django finds them as part of the specimens app."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.crypto import EncryptedTextField
from screening.models import Campaign

DEFAULT_REMIND_DAYS = 14
DEFAULT_ESCALATE_DAYS = 21
DEFAULT_LOST_DAYS = 28
DAYS_VALIDATORS = [MinValueValidator(1), MaxValueValidator(365)]


class FailsafePolicy(models.Model):
    """A campaign's limits. A campaign without one uses the defaults (14/21/28)."""

    campaign = models.OneToOneField(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    remind_days = models.PositiveSmallIntegerField(
        _("remind the lab after (days)"),
        default=DEFAULT_REMIND_DAYS,
        validators=DAYS_VALIDATORS,
    )
    escalate_days = models.PositiveSmallIntegerField(
        _("escalate after (days)"),
        default=DEFAULT_ESCALATE_DAYS,
        validators=DAYS_VALIDATORS,
    )
    lost_days = models.PositiveSmallIntegerField(
        _("declare lost after (days)"),
        default=DEFAULT_LOST_DAYS,
        validators=DAYS_VALIDATORS,
    )
    # The clinic lead's work phone for the daily digest; blank sends none.
    digest_phone = EncryptedTextField(
        _("clinic lead's phone for the digest"), blank=True
    )

    class Meta:
        verbose_name = _("failsafe limits")
        verbose_name_plural = _("failsafe limits")
        constraints = [
            models.CheckConstraint(
                condition=Q(remind_days__gt=0)
                & Q(escalate_days__gt=F("remind_days"))
                & Q(lost_days__gt=F("escalate_days")),
                name="failsafe_limits_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"failsafe limits of campaign {self.campaign_id}"


class Tier(models.IntegerChoices):
    REMIND = 1, _("Remind the lab")
    ESCALATE = 2, _("Escalate")
    LOST = 3, _("Lost")


class CloseReason(models.TextChoices):
    RESULTED = "resulted", _("The result is back")
    RECOLLECTED = "recollected", _("She was sampled again")
    RECALLED = "recalled", _("She was recalled")


class FailsafeItem(models.Model):
    """One overdue tube on the worklist. Site, campaign and collection time are
    copied from the tube so that the worklist reads one table."""

    specimen = models.OneToOneField(
        "specimens.Specimen",
        verbose_name=_("specimen"),
        on_delete=models.PROTECT,
        related_name="failsafe_item",
    )
    campaign_id = models.PositiveIntegerField(_("campaign id"))
    site_id = models.PositiveIntegerField(_("site id"))
    site_name = models.CharField(_("site"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16)
    # Copied too (a barcode never changes): the list reads no other table.
    barcode = models.CharField(_("barcode"), max_length=16)
    collected_at = models.DateTimeField(_("collected at"))
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices)
    opened_at = models.DateTimeField(_("on the list since"), default=timezone.now)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    lost_at = models.DateTimeField(_("declared lost at"), null=True, blank=True)
    recalled_at = models.DateTimeField(_("recall opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(
        _("closed because"), max_length=16, choices=CloseReason.choices, blank=True
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("failsafe item")
        verbose_name_plural = _("failsafe items")
        ordering = ["-tier", "collected_at", "id"]
        constraints = [
            # Closed only with a reason, and a reason only when closed.
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, close_reason="")
                | (Q(closed_at__isnull=False) & ~Q(close_reason="")),
                name="failsafe_closed_with_reason",
            )
        ]
        indexes = [
            # The worklist: open items of her sites, worst tier and oldest first.
            models.Index(
                fields=["site_id", "-tier", "collected_at", "id"],
                condition=Q(closed_at__isnull=True),
                name="failsafe_open_worklist_idx",
            ),
            # A program admin's list, every site at once.
            models.Index(
                fields=["-tier", "collected_at", "id"],
                condition=Q(closed_at__isnull=True),
                name="failsafe_open_all_sites_idx",
            ),
            models.Index(
                fields=["campaign_id", "tier"],
                condition=Q(closed_at__isnull=True),
                name="failsafe_open_campaign_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"failsafe item {self.pk}"


class Recall(models.Model):
    """She is asked back because her tube was lost: the contact case the
    follow-up nurses work, opened once per lost tube."""

    item = models.OneToOneField(
        FailsafeItem,
        verbose_name=_("failsafe item"),
        on_delete=models.PROTECT,
        related_name="recall",
    )
    visit_id = models.PositiveIntegerField(_("visit id"))
    participant_id = models.PositiveIntegerField(_("participant id"), db_index=True)
    site_id = models.PositiveIntegerField(_("site id"), db_index=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    message_sent = models.BooleanField(_("message written"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("specimen recall")
        verbose_name_plural = _("specimen recalls")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"recall {self.pk}"
