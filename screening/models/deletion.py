"""Her rights (PIPL art. 44-47): deletion requests."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from screening.models.participants import Participant


class DeletionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    HELD = "held", _("Held until follow-up ends")
    DONE = "done", _("Done")


class DeletionRequest(models.Model):
    """Her request to delete her data. Done at once unless a legal hold applies
    (results that still need follow-up); then the retention job finishes it."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="deletion_requests",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeletionStatus.choices,
        default=DeletionStatus.PENDING,
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=~Q(status="done"),
                name="one_open_deletion_request_per_participant",
            )
        ]

    def __str__(self) -> str:
        return f"deletion request {self.pk}"
