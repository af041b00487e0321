"""Intervals to the next screening (DOMAIN §6.3), deferral and cease.

Every interval is data a data admin edits next to its summary rule: the
defaults are drafts the hospital approves.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from screening.models import Campaign, Participant, SummaryRule


class IntervalKind(models.TextChoices):
    MONTHS = "months", _("A fixed number of months")
    CAMPAIGN_BREAST = "campaign_breast", _("The campaign's breast interval")
    AFTER_FOLLOW_UP = "after_follow_up", _("No routine date until follow-up closes")


class RecallInterval(models.Model):
    """When a woman whose result matched `rule` is due for that test again."""

    rule = models.OneToOneField(
        SummaryRule,
        verbose_name=_("summary rule"),
        on_delete=models.CASCADE,
        related_name="recall_interval",
    )
    kind = models.CharField(
        _("interval"), max_length=16, choices=IntervalKind.choices, default="months"
    )
    months = models.PositiveSmallIntegerField(
        _("months"), null=True, blank=True, help_text=_("For a fixed interval.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("interval to the next screening")
        verbose_name_plural = _("intervals to the next screening")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="months") | Q(months__gt=0),
                name="fixed_interval_has_months",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.kind} {self.months or ''}".strip()


class CampaignRecall(models.Model):
    """A campaign's own breast interval (BI-RADS 1-2: not fixed nationally)."""

    campaign = models.OneToOneField(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="recall",
    )
    breast_interval_months = models.PositiveSmallIntegerField(
        _("breast interval in months"), default=24
    )

    class Meta:
        verbose_name = _("campaign breast interval")
        verbose_name_plural = _("campaign breast intervals")

    def __str__(self) -> str:
        return f"{self.campaign}: {self.breast_interval_months}"


class DeferralReason(models.TextChoices):
    MENSES = "menses", _("On her period")
    PREGNANCY = "pregnancy", _("Pregnant")
    LACTATION = "lactation", _("Breastfeeding")
    HER_CHOICE = "her_choice", _("Her own choice")
    OTHER = "other", _("Other")


# DOMAIN §6.3: 6-month steps, at most 18 months.
DEFERRAL_STEP_MONTHS = 6
DEFERRAL_MAX_MONTHS = 18


class Deferral(models.Model):
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    reason = models.CharField(
        _("reason"), max_length=16, choices=DeferralReason.choices
    )
    months = models.PositiveSmallIntegerField(_("months"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    # Empty when she deferred herself on her phone.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deferral")
        verbose_name_plural = _("deferrals")
        ordering = ["-ends_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(months__in=[6, 12, 18]),
                name="deferral_in_six_month_steps_up_to_eighteen",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")),
                name="deferral_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["participant", "ends_on"])]

    def __str__(self) -> str:
        return f"deferral:{self.pk}"


class CeaseReason(models.TextChoices):
    HYSTERECTOMY = "hysterectomy", _("Total hysterectomy (cervix)")
    MASTECTOMY = "mastectomy", _("Bilateral mastectomy (breast)")
    OPTED_OUT = "opted_out", _("She asked never to be invited")
    MOVED_AWAY = "moved_away", _("Moved away")
    DECEASED = "deceased", _("Deceased")


class CeaseScope(models.TextChoices):
    CERVIX = "cervix", _("Cervical screening")
    BREAST = "breast", _("Breast screening")
    ALL = "all", _("All screening")


class Cease(models.Model):
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=16, choices=CeaseReason.choices)
    scope = models.CharField(
        _("applies to"), max_length=8, choices=CeaseScope.choices, default="all"
    )
    # Empty: for good. Moving away may end when she moves back.
    ends_on = models.DateField(_("until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("cease")
        verbose_name_plural = _("ceases")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["participant"])]

    def __str__(self) -> str:
        return f"cease:{self.pk}"
