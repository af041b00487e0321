"""The questions (wording is data an admin edits: the hospital approves it) and
her answers, sealed at rest."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.crypto import EncryptedJSONField
from screening.models import Campaign, Participant, Visit


class AnswerKind(models.TextChoices):
    YES_NO = "yes_no", _("Yes, no or not sure")
    DATE = "date", _("A date")


class HistoryQuestion(models.Model):
    key = models.SlugField(_("key"), max_length=32, unique=True)
    text_zh = models.CharField(_("question (Chinese)"), max_length=200)
    text_en = models.CharField(_("question (English)"), max_length=200)
    answer_kind = models.CharField(
        _("answer"), max_length=8, choices=AnswerKind.choices, default=AnswerKind.YES_NO
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        app_label = "specimens"
        verbose_name = _("clinical history question")
        verbose_name_plural = _("clinical history questions")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.key


class ClinicalHistory(models.Model):
    """Her answers for one campaign. `answers` keeps each question's wording as
    she saw it, so editing a question never rewrites what she answered."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="+"
    )
    answers = EncryptedJSONField(_("answers"), null=True, blank=True)
    filled_at = models.DateTimeField(_("filled in by her at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        app_label = "specimens"
        verbose_name = _("clinical history")
        verbose_name_plural = _("clinical histories")
        constraints = [
            # One history per woman and campaign: her phone and the desk saving
            # at once write the same row, never two.
            models.UniqueConstraint(
                fields=["participant", "campaign"], name="one_history_per_campaign"
            )
        ]

    def __str__(self) -> str:
        return f"history {self.pk}"
