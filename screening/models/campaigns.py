"""Campaigns and the districts a woman can say she works in."""

from datetime import date

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel


class District(models.Model):
    """An administrative district (GB/T 2260 code) a woman can say she works in."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ServiceScope(models.TextChoices):
    CERVICAL = "cervical", _("Cervical cancer screening")
    BREAST = "breast", _("Breast cancer screening")
    BOTH = "both", _("Cervical and breast cancer screening")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")


class Campaign(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("first screening day"))
    ends_on = models.DateField(_("last screening day"))
    registration_opens_at = models.DateTimeField(_("registration opens"))
    registration_closes_at = models.DateTimeField(_("registration closes"))
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=35)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), default=64)
    # Age in 周岁 is computed on this day (DOMAIN §1.2); empty means the first day.
    age_reference_date = models.DateField(
        _("age reference date"), null=True, blank=True
    )
    services = models.CharField(
        _("services offered"),
        max_length=16,
        choices=ServiceScope.choices,
        default=ServiceScope.BOTH,
    )
    quota = models.PositiveIntegerField(_("funded places"))
    # Appointments still active (booked, checked in, screened). Scheduling keeps it
    # in the transaction that changes one, by a conditional update, so the funded
    # quota is decided by one row instead of a count under a lock.
    places_taken = models.PositiveIntegerField(
        _("places taken"), default=0, editable=False
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CampaignStatus.choices,
        default=CampaignStatus.DRAFT,
    )
    districts = models.ManyToManyField(
        District, verbose_name=_("districts"), related_name="campaigns", blank=True
    )
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="campaign_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(max_age__gte=F("min_age")),
                name="campaign_age_range_is_ordered",
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=F("registration_opens_at")),
                name="campaign_registration_window_is_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def age_on(self) -> date:
        return self.age_reference_date or self.starts_on

    @property
    def registration_open(self) -> bool:
        now = timezone.now()
        return (
            self.status == CampaignStatus.OPEN
            and self.registration_opens_at <= now < self.registration_closes_at
        )
