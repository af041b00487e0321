"""A specimen is one tube taken at a visit; a recollection is the task a
rejected tube leaves behind (SPEC §8.1, DOMAIN §6.1)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from screening.models import Visit
from specimens.fields import SmallIntList


class SpecimenKind(models.TextChoices):
    HPV = "hpv", _("hrHPV sample")
    CYTOLOGY = "cytology", _("Cytology sample")


class SpecimenStatus(models.TextChoices):
    COLLECTED = "collected", _("Collected")
    DISPATCHED = "dispatched", _("Dispatched")
    RECEIVED = "received", _("Received by the lab")
    RESULTED = "resulted", _("Resulted")
    REJECTED = "rejected", _("Rejected")


class RejectionReason(models.TextChoices):
    UNLABELLED = "unlabelled", _("Unlabelled or mislabelled")
    LEAKED = "leaked", _("Leaked")
    INSUFFICIENT = "insufficient", _("Insufficient sample")
    EXPIRED = "expired", _("Expired")


class Manifest(models.Model):
    """A batch of tubes handed to the lab: how many, when and by whom."""

    site_id = models.PositiveIntegerField(_("site id"), db_index=True)
    created_at = models.DateTimeField(_("handed over at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed over by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    count = models.PositiveIntegerField(_("tubes"), default=0)

    class Meta:
        verbose_name = _("dispatch manifest")
        verbose_name_plural = _("dispatch manifests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"manifest {self.pk}"


class Specimen(models.Model):
    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SpecimenKind.choices)
    barcode = models.CharField(_("barcode"), max_length=16)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SpecimenStatus.choices,
        default=SpecimenStatus.COLLECTED,
    )
    collected_at = models.DateTimeField(_("collected at"), default=timezone.now)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    resulted_at = models.DateTimeField(_("resulted at"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    manifest = models.ForeignKey(
        Manifest,
        verbose_name=_("dispatch manifest"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="specimens",
    )
    rejection_reason = models.CharField(
        _("rejection reason"),
        max_length=16,
        choices=RejectionReason.choices,
        blank=True,
    )
    # The high-risk genotypes the lab found in an hrHPV tube (DOMAIN §6.1).
    hpv_types = SmallIntList(
        models.PositiveSmallIntegerField(),
        verbose_name=_("HPV genotypes"),
        default=list,
        blank=True,
    )

    class Meta:
        verbose_name = _("specimen")
        verbose_name_plural = _("specimens")
        ordering = ["visit_id", "kind", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["barcode"], name="specimen_barcode_unique"),
            # One live tube of each kind per visit: two nurses pressing at once
            # cannot both write one; a rejected tube makes room for its recollection.
            models.UniqueConstraint(
                fields=["visit", "kind"],
                condition=~Q(status="rejected"),
                name="specimen_one_live_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(status="rejected", rejected_at__isnull=False)
                & ~Q(rejection_reason="")
                | (~Q(status="rejected") & Q(rejection_reason="")),
                name="specimen_rejected_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "collected_at"])]

    def __str__(self) -> str:
        return f"{self.barcode} ({self.kind})"


class Recollection(models.Model):
    """She must be sampled again because a tube of hers was rejected."""

    specimen = models.OneToOneField(
        Specimen,
        verbose_name=_("rejected specimen"),
        on_delete=models.PROTECT,
        related_name="recollection",
    )
    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SpecimenKind.choices)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    new_specimen = models.OneToOneField(
        Specimen,
        verbose_name=_("new specimen"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("recollection")
        verbose_name_plural = _("recollections")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"recollection of {self.specimen_id}"


# The clinical history's tables live in their own package; imported here so the
# app registry and migrations see them.
# The failsafe keeps its models in a module of their own; imported here,
# Django finds them as part of this app.
from specimens.failsafe_models import FailsafeItem, FailsafePolicy, Recall  # noqa: E402
from specimens.history.models import (  # noqa: E402
    ClinicalHistory,
    HistoryQuestion,
)

__all__ = [
    "ClinicalHistory",
    "FailsafeItem",
    "FailsafePolicy",
    "HistoryQuestion",
    "Manifest",
    "Recall",
    "Recollection",
    "Specimen",
]
