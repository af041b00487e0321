"""The core-knowledge quiz (DOMAIN §6.5): versioned questions admins edit, and
one take per woman and campaign that keeps her score and level only. Her answers
are marked as she sends them and never stored, so no staff view can show them."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from screening.models import Campaign, Participant


class QuizVersion(models.Model):
    """A set of questions. A version that has been answered is frozen (the admin
    copies it to a new version instead), so every take is marked against the
    questions she saw."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    # The 2010 form: 知晓 at 70% correct, 部分知晓 from 40%. Editable per version.
    aware_percent = models.PositiveSmallIntegerField(
        _("知晓 from (% correct)"), default=70, validators=[MaxValueValidator(100)]
    )
    partial_percent = models.PositiveSmallIntegerField(
        _("部分知晓 from (% correct)"), default=40, validators=[MaxValueValidator(100)]
    )
    is_current = models.BooleanField(_("offered now"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("quiz version")
        verbose_name_plural = _("quiz versions")
        ordering = ["-number"]
        constraints = [
            # One version is offered at a time: the database says so, not a check.
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="indicators_one_current_quiz",
            ),
            models.CheckConstraint(
                condition=Q(partial_percent__lte=models.F("aware_percent")),
                name="indicators_partial_below_aware",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number} {self.title_zh}"


class QuizQuestion(models.Model):
    version = models.ForeignKey(
        QuizVersion,
        verbose_name=_("quiz version"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text_zh = models.CharField(_("question (Chinese)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300)

    class Meta:
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.text_zh


class QuizChoice(models.Model):
    question = models.ForeignKey(
        QuizQuestion,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="choices",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text_zh = models.CharField(_("answer (Chinese)"), max_length=200)
    text_en = models.CharField(_("answer (English)"), max_length=200)
    correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        verbose_name = _("quiz answer")
        verbose_name_plural = _("quiz answers")
        ordering = ["question", "order", "id"]

    def __str__(self) -> str:
        return self.text_zh


class QuizMoment(models.TextChoices):
    SIGNUP = "signup", _("After sign-up")
    DAY = "day", _("On the screening day")


class QuizLevel(models.TextChoices):
    AWARE = "aware", _("知晓 (aware)")
    PARTIAL = "partial", _("部分知晓 (partly aware)")
    UNAWARE = "unaware", _("未知晓 (not aware)")


class QuizTake(models.Model):
    """Her latest take in a campaign: how many she got right, never which."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    version = models.ForeignKey(
        QuizVersion,
        verbose_name=_("quiz version"),
        on_delete=models.PROTECT,
        related_name="takes",
    )
    moment = models.CharField(_("when"), max_length=16, choices=QuizMoment.choices)
    asked = models.PositiveSmallIntegerField(_("questions"))
    correct = models.PositiveSmallIntegerField(_("answered correctly"))
    level = models.CharField(_("level"), max_length=16, choices=QuizLevel.choices)
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)

    class Meta:
        verbose_name = _("quiz take")
        verbose_name_plural = _("quiz takes")
        constraints = [
            # A second take replaces the first: one row per woman and campaign.
            models.UniqueConstraint(
                fields=["participant", "campaign"], name="indicators_one_take"
            ),
            models.CheckConstraint(
                condition=Q(correct__lte=models.F("asked")),
                name="indicators_correct_within_asked",
            ),
        ]

    def __str__(self) -> str:
        return f"quiz take {self.pk}"
