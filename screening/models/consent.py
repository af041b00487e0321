"""Her separate consents (PIPL art. 29)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from screening.models.participants import Participant


class ConsentPurpose(models.TextChoices):
    HEALTH_DATA = "health_data", _("Processing of health data")
    HOSPITAL_SHARING = "hospital_sharing", _("Sharing with the hospital")
    SMS_RESULTS = "sms_results", _("Result notices by SMS")


class Consent(models.Model):
    """Separate consent (PIPL art. 29): one row per purpose and text version."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    purpose = models.CharField(
        _("purpose"), max_length=32, choices=ConsentPurpose.choices
    )
    text_version = models.CharField(_("text version"), max_length=32)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_live_consent_per_purpose",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} v{self.text_version}"
