"""What the reports are made of that the screening records do not hold: each
indicator's definition, a campaign's target population and unit prices, and the
knowledge quiz (its models are in quiz_models)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel
from indicators.quiz_models import QuizChoice, QuizQuestion, QuizTake, QuizVersion
from screening.models import Campaign

__all__ = [
    "BookingFact",
    "CampaignTarget",
    "FactDirty",
    "IndicatorDefinition",
    "QuizChoice",
    "QuizQuestion",
    "QuizTake",
    "QuizVersion",
    "UnitPrice",
    "VisitFact",
    "WomanFact",
]


class IndicatorDefinition(models.Model):
    """One indicator of DOMAIN §1.6: what its numerator and denominator count, in
    words admins can read and the hospital can correct. ``numerator`` and
    ``denominator`` name the counted measures (indicators.measures); the report
    is computed from these rows, so the words and the figures never part."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    numerator = models.CharField(_("numerator measure"), max_length=40)
    denominator = models.CharField(_("denominator measure"), max_length=40, blank=True)
    numerator_zh = models.CharField(_("numerator (Chinese)"), max_length=200)
    numerator_en = models.CharField(_("numerator (English)"), max_length=200)
    denominator_zh = models.CharField(
        _("denominator (Chinese)"), max_length=200, blank=True
    )
    denominator_en = models.CharField(
        _("denominator (English)"), max_length=200, blank=True
    )
    # 100 for a percentage, 100000 for a rate per 10万; 1 for a plain count.
    scale = models.PositiveIntegerField(_("per"), default=100)
    target = models.DecimalField(
        _("target"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    active = models.BooleanField(_("shown"), default=True)

    class Meta:
        verbose_name = _("indicator definition")
        verbose_name_plural = _("indicator definitions")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"


class CampaignTarget(TimeStampedModel):
    """应查人数: the women the campaign is meant to screen, entered by an admin."""

    campaign = models.OneToOneField(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    target_population = models.PositiveIntegerField(_("target population (应查人数)"))

    class Meta:
        verbose_name = _("campaign target population")
        verbose_name_plural = _("campaign target populations")

    def __str__(self) -> str:
        return f"{self.campaign} {self.target_population}"


class PricedItem(models.TextChoices):
    HPV = "hpv", _("hrHPV test")
    CYTOLOGY = "cytology", _("Cervical cytology")
    CBE = "cbe", _("Clinical breast exam")
    BREAST_ULTRASOUND = "breast_ultrasound", _("Breast ultrasound")
    MAMMOGRAPHY = "mammography", _("Mammography")


class UnitPrice(models.Model):
    """What the union pays the hospital for one item done in this campaign."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    item = models.CharField(_("item"), max_length=32, choices=PricedItem.choices)
    price = models.DecimalField(
        _("unit price (yuan)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("unit price")
        verbose_name_plural = _("unit prices")
        ordering = ["campaign", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "item"], name="indicators_one_price_per_item"
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="indicators_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()} {self.price}"


class VisitFact(models.Model):
    """One checked-in visit's measure bits (indicators.bitmask) with what the
    reports group and filter by. Written only by the fold (indicators.facts);
    never edited, never shown. Other databases leave it empty."""

    visit_id = models.BigIntegerField(primary_key=True)
    campaign_id = models.BigIntegerField()
    participant_id = models.BigIntegerField()
    day = models.DateField()
    site_id = models.PositiveIntegerField()
    occupation = models.CharField(max_length=32)
    report_key = models.PositiveIntegerField()
    birth_date = models.DateField()
    bits = models.BigIntegerField()
    normal = models.SmallIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["campaign_id", "day"], name="indicators_fact_day"),
            models.Index(fields=["participant_id"], name="indicators_fact_woman"),
        ]

    def __str__(self) -> str:
        return f"facts of visit {self.visit_id}"


class _CampaignWomanFact(models.Model):
    """What a folded row of hers in a campaign is grouped by (the copies of her
    occupation and record key spare the reports a join to her row)."""

    campaign_id = models.BigIntegerField()
    participant_id = models.BigIntegerField(db_index=True)
    day = models.DateField()
    site_id = models.PositiveIntegerField()
    occupation = models.CharField(max_length=32)
    report_key = models.PositiveIntegerField()

    class Meta:
        abstract = True


class WomanFact(_CampaignWomanFact):
    """Her visit facts of one campaign folded into one row (the reports of a
    whole campaign read these). Written only by the fold."""

    birth_date = models.DateField()
    bits = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_id", "participant_id"], name="indicators_one_woman"
            )
        ]

    def __str__(self) -> str:
        return f"facts of woman {self.participant_id} in {self.campaign_id}"


class BookingFact(_CampaignWomanFact):
    """Her bookings of one campaign folded into one row: first booked day and
    site, and the booking measures as bits. Written only by the fold."""

    bits = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_id", "participant_id"], name="indicators_one_booker"
            )
        ]

    def __str__(self) -> str:
        return f"bookings of woman {self.participant_id} in {self.campaign_id}"


class FactDirty(models.Model):
    """A woman whose records changed since the last fold (written by triggers,
    taken by the fold)."""

    participant_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"woman {self.participant_id} to fold"
