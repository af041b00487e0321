from datetime import date

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.crypto import EncryptedTextField
from common.masking import mask_id_number, mask_name, mask_phone
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


class EmploymentType(models.TextChoices):
    COURIER = "courier", _("Courier")
    FOOD_DELIVERY = "food_delivery", _("Food delivery")
    RIDE_HAILING = "ride_hailing", _("Ride-hailing")
    DOMESTIC_SERVICE = "domestic_service", _("Domestic service")
    LIVESTREAM_ECOMMERCE = "livestream_ecommerce", _("Livestream e-commerce")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class Participant(TimeStampedModel):
    """A woman who signed up. ID and phone are encrypted; their hashes find her."""

    phone = EncryptedTextField(_("phone"))
    phone_hash = models.CharField(_("phone hash"), max_length=64, unique=True)
    full_name = models.CharField(_("full name"), max_length=50)
    id_number = EncryptedTextField(_("resident ID number"))
    id_hash = models.CharField(_("ID number hash"), max_length=64, unique=True)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    employment_type = models.CharField(
        _("employment type"), max_length=32, choices=EmploymentType.choices
    )
    employment_other = models.CharField(
        _("employment (other)"), max_length=100, blank=True
    )
    employer = models.CharField(_("employer or platform"), max_length=100, blank=True)
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="participants",
    )
    sms_reminders = models.BooleanField(_("SMS reminders"), default=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{mask_name(self.full_name)} {mask_phone(self.phone)}"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


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


class ParticipantToken(models.Model):
    """A bearer token from the SMS-code exchange. Only its hash is stored; it proves
    a phone, and the participant once she has registered."""

    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    phone = EncryptedTextField(_("phone"))
    phone_hash = models.CharField(_("phone hash"), max_length=64, db_index=True)
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tokens",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("sign-in token")
        verbose_name_plural = _("sign-in tokens")

    def __str__(self) -> str:
        return f"token {self.pk}"


class OtpChallenge(models.Model):
    """One SMS code sent to one phone. Only a keyed hash of the code is stored.

    The rows double as the send log the rate limits count, so each one also keeps
    a keyed hash of the IP address the request came from.
    """

    phone_hash = models.CharField(_("phone hash"), max_length=64)
    ip_hash = models.CharField(_("IP address hash"), max_length=64, blank=True)
    code_hash = models.CharField(_("code hash"), max_length=64)
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["phone_hash", "created_at"]),
            models.Index(
                fields=["ip_hash", "created_at"],
                name="otpchallenge_ip_idx",
                condition=~Q(ip_hash=""),
            ),
        ]

    def __str__(self) -> str:
        return f"code {self.pk}"


class OtpRateScope(models.Model):
    """A row to lock: one per phone and one per IP address (both hashed).

    Holding it while counting the recent codes and writing the next one makes
    "count, decide, send" a single step for that phone or address.
    """

    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("sign-in code rate scope")
        verbose_name_plural = _("sign-in code rate scopes")

    def __str__(self) -> str:
        return f"scope {self.pk}"
