"""An invitation batch and the woman-by-woman rows it drafted."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from screening.models import Campaign, Participant


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")


class InvitationBatch(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=BatchStatus.choices, default="draft"
    )
    due_by = models.DateField(
        _("due by"), null=True, blank=True, help_text=_("Women due on or before.")
    )
    never_screened = models.BooleanField(_("women never screened"), default=True)
    non_responders = models.BooleanField(
        _("women who did not respond last time"), default=True
    )
    respond_days = models.PositiveSmallIntegerField(_("days to respond"), default=30)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("drafted at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation batch")
        verbose_name_plural = _("invitation batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.campaign} #{self.pk}"


class Exclusion(models.TextChoices):
    CEASED = "ceased", _("Ceased")
    DEFERRED = "deferred", _("Deferred")
    OPTED_OUT = "opted_out", _("Opted out")
    ALREADY_BOOKED = "already_booked", _("Already booked")
    MOVED_AWAY = "moved_away", _("Moved away")


class InvitationStatus(models.TextChoices):
    EXCLUDED = "excluded", _("Excluded")
    DRAFTED = "drafted", _("To invite")
    SENT = "sent", _("Invited")
    RESPONDED = "responded", _("Booked")
    NON_RESPONDER = "non_responder", _("Did not respond")


class Invitation(models.Model):
    batch = models.ForeignKey(
        InvitationBatch,
        verbose_name=_("batch"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=InvitationStatus.choices
    )
    exclusion = models.CharField(
        _("excluded because"), max_length=16, choices=Exclusion.choices, blank=True
    )
    sent_at = models.DateTimeField(_("invited at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # One row per woman per batch: a draft run twice invites nobody twice.
            models.UniqueConstraint(
                fields=["batch", "participant"], name="one_invitation_per_batch"
            ),
        ]
        indexes = [models.Index(fields=["batch", "status"])]

    def __str__(self) -> str:
        return f"invitation:{self.pk}"
