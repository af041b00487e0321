from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.cellkey import new_record_key
from common.models import TimeStampedModel
from scheduling.places import PlacesBand, places_band
from screening.models import Campaign, District, Participant


class Service(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Site(TimeStampedModel):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    services = models.ManyToManyField(
        Service, verbose_name=_("services"), related_name="sites", blank=True
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("clinic staff"),
        related_name="sites",
        blank=True,
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Women who come without a booking; a day's walk-ins share one slot of this size.
    walk_in_capacity = models.PositiveIntegerField(_("walk-ins per day"), default=10)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class SlotTemplate(models.Model):
    """A recurring opening: on this weekday, from start to end, this many places."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="slot_templates",
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="+"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    capacity = models.PositiveIntegerField(_("places"))

    class Meta:
        verbose_name = _("slot template")
        verbose_name_plural = _("slot templates")
        ordering = ["site", "weekday", "start_time"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "site", "weekday", "start_time"],
                name="one_template_per_site_weekday_start",
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="slot_template_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gt=0), name="slot_template_has_places"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.get_weekday_display()} {self.start_time:%H:%M}"


class Slot(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="slots"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"))
    booked = models.PositiveIntegerField(_("booked"), default=0)

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["starts_at", "site"]
        constraints = [
            # The last word on overbooking belongs to the database, not to Python.
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")),
                name="slot_booked_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(booked__gte=0), name="slot_booked_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="slot_ends_after_it_starts",
            ),
            models.UniqueConstraint(
                fields=["campaign", "site", "starts_at"],
                name="one_slot_per_site_and_start",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "site", "starts_at"])]

    def __str__(self) -> str:
        # The site's clock, not the database's UTC: this names the slot in the
        # admin's lists, choices and messages, where 09:00 must not read 01:00.
        local = self.starts_at.astimezone(ZoneInfo(self.site.timezone))
        return f"{self.site} {local:%Y-%m-%d %H:%M}"

    @property
    def available(self) -> int:
        return self.capacity - self.booked

    @property
    def places_band(self) -> PlacesBand:
        """What the public listing says of the places left (scheduling.places)."""
        return places_band(self.available)


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    SCREENED = "screened", _("Screened")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


ACTIVE_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.SCREENED,
)


class Appointment(TimeStampedModel):
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    # Copied from the slot so that the database can enforce one booking per campaign.
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="+"
    )
    slot = models.ForeignKey(
        Slot,
        verbose_name=_("slot"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    reference = models.CharField(_("reference"), max_length=8, unique=True)
    checkin_token = models.CharField(_("check-in token"), max_length=64, unique=True)
    is_walk_in = models.BooleanField(_("walk-in"), default=False)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # Counts moves so that each one gets its own message keys: moving back to a
    # slot she left must not collide with the cancelled reminders of that slot.
    reschedule_count = models.PositiveSmallIntegerField(_("times moved"), default=0)
    # The cell-key perturbation of union reports (common.cellkey): fixed, random,
    # never shown.
    report_key = models.PositiveIntegerField(
        _("report key"), default=new_record_key, editable=False
    )

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "campaign"],
                condition=Q(status__in=["booked", "checked_in", "screened"]),
                name="one_active_appointment_per_campaign",
            ),
        ]
        indexes = [
            models.Index(fields=["slot", "status"]),
            # The quota count under the campaign lock, and turnout by campaign.
            models.Index(fields=["campaign", "status"]),
        ]

    def __str__(self) -> str:
        return self.reference


class IdempotencyRecord(models.Model):
    """The first answer to a booking request sent with an `Idempotency-Key`.

    The row is inserted before the booking, in the same transaction, so that the
    unique key makes a concurrent repeat wait for the first request and then read
    its answer instead of booking again.
    """

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField(_("key"), max_length=100)
    request_fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"))
    response_body = models.JSONField(_("response body"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "key"], name="one_answer_per_idempotency_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}:{self.key}"
