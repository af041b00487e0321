"""The women who signed up."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.cellkey import new_record_key
from common.crypto import EncryptedTextField
from common.masking import mask_id_number, mask_name, mask_phone
from common.models import TimeStampedModel
from screening.models.campaigns import District


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

    # Which columns are keyed hashes of which encrypted ones, and for what purpose:
    # `rotate_keys` rebuilds them from this when ID_HASH_KEY changes.
    KEYED_HASHES = {"phone_hash": ("phone", "phone"), "id_hash": ("id_number", "id")}

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
    # The cell-key perturbation of union reports (common.cellkey): fixed, random,
    # never shown; it says nothing about her.
    report_key = models.PositiveIntegerField(
        _("report key"), default=new_record_key, editable=False
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{mask_name(self.full_name)} {mask_phone(self.phone)}"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)
