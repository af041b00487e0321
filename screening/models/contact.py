"""Phoning a woman who needs follow-up: each call and what came of it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.crypto import EncryptedTextField

CONTACT_NOTE_MAX_LENGTH = 200


class ContactOutcome(models.TextChoices):
    REACHED = "reached", _("Reached her")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Line busy")
    SWITCHED_OFF = "switched_off", _("Phone switched off")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    DECLINED = "declined", _("She declined to talk")
    # She no longer lives here: the case is lost with this reason, and she is
    # not invited again until someone records her return (screening.recall).
    MOVED_AWAY = "moved_away", _("She has moved away")


class RevealPurpose(models.TextChoices):
    """Why a nurse needs a woman's full number; recorded with each reveal."""

    FOLLOW_UP_CALL = "follow_up_call", _("Calling her about her follow-up")
    REFERRAL = "referral", _("Arranging her referral")
    RESULT_QUESTION = "result_question", _("Answering her question about results")


class ContactAttempt(models.Model):
    """One call to a woman on the follow-up worklist: who called, when, and
    the outcome. The note is short and optional, and sealed: it is free text."""

    case = models.ForeignKey(
        "screening.FollowUpCase",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="contact_attempts",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("called by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("called at"), default=timezone.now)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=ContactOutcome.choices
    )
    note = EncryptedTextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        ordering = ["case", "-at", "-id"]
        indexes = [models.Index(fields=["case", "-at"])]

    def __str__(self) -> str:
        return f"call {self.pk} on follow-up {self.case_id}"
