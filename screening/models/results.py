"""Visits, results, summaries and the lab imports (SPEC §3, DOMAIN §1.4)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.crypto import EncryptedBytesField, EncryptedJSONField, EncryptedTextField
from screening.models.campaigns import Campaign
from screening.models.participants import Participant


class ResultTest(models.TextChoices):
    HPV = "hpv", _("hrHPV test")
    CYTOLOGY = "cytology", _("Cervical cytology")
    CBE = "cbe", _("Clinical breast exam")
    BREAST_ULTRASOUND = "breast_ultrasound", _("Breast ultrasound")
    MAMMOGRAPHY = "mammography", _("Mammography")


class Conclusion(models.TextChoices):
    NORMAL = "NORMAL", _("No abnormality found")
    RECALL = "RECALL", _("Re-check needed")
    REFER = "REFER", _("Further examination needed")
    PRECANCER = "PRECANCER", _("Precancer")
    CANCER = "CANCER", _("Cancer")
    DEFERRED = "DEFERRED", _("Deferred")


class Visit(models.Model):
    """The screening event, opened at check-in. Site and appointment live in
    scheduling, which this app never imports, so they are kept as plain ids."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="+"
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    site_id = models.PositiveIntegerField(_("site id"), db_index=True)
    site_name = models.CharField(_("site"), max_length=100)
    day = models.DateField(_("day"))
    appointment_id = models.PositiveIntegerField(
        _("appointment id"), null=True, blank=True, unique=True
    )
    reference = models.CharField(
        _("reference"), max_length=8, blank=True, db_index=True
    )
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_in_at = models.DateTimeField(_("checked in at"), default=timezone.now)
    undone_at = models.DateTimeField(_("check-in undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["site_id", "day"])]

    def __str__(self) -> str:
        return f"visit {self.pk} {self.day}"


class ResultCode(models.Model):
    """A result code allowed for a test (DOMAIN §1.4). Data, so the hospital can
    add or retire codes without a release."""

    test = models.CharField(_("test"), max_length=32, choices=ResultTest.choices)
    code = models.CharField(_("code"), max_length=32)
    label_zh = models.CharField(_("label (Chinese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("result code")
        verbose_name_plural = _("result codes")
        ordering = ["test", "id"]
        constraints = [
            models.UniqueConstraint(fields=["test", "code"], name="one_code_per_test")
        ]

    def __str__(self) -> str:
        return f"{self.test}:{self.code}"


class SummaryRule(models.Model):
    """What one result code means for her (DOMAIN §1.4, §5.2). A draft the
    clinicians approve, so it is data.

    A rule with `requires_test` applies only when the same visit has a current
    result of that test with one of `requires_codes` (HPV other types triaged by
    cytology); such a rule wins over the plain rule of the same code.
    """

    test = models.CharField(_("test"), max_length=32, choices=ResultTest.choices)
    code = models.CharField(_("code"), max_length=32)
    requires_test = models.CharField(
        _("only together with test"),
        max_length=32,
        choices=ResultTest.choices,
        blank=True,
    )
    requires_codes = models.JSONField(
        _("and one of these codes"), default=list, blank=True
    )
    conclusion = models.CharField(
        _("conclusion"), max_length=16, choices=Conclusion.choices
    )
    severity = models.PositiveSmallIntegerField(
        _("severity"), help_text=_("Higher wins when a visit has several results.")
    )
    action_zh = models.CharField(_("action (Chinese)"), max_length=200)
    action_en = models.CharField(_("action (English)"), max_length=200)
    text_zh = models.TextField(_("explanation (Chinese)"))
    text_en = models.TextField(_("explanation (English)"))
    follow_up_days = models.PositiveIntegerField(
        _("follow up within days"), null=True, blank=True
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("summary rule")
        verbose_name_plural = _("summary rules")
        ordering = ["test", "code", "id"]
        indexes = [models.Index(fields=["test", "code"])]

    def __str__(self) -> str:
        if self.requires_test:
            return f"{self.test}:{self.code} + {self.requires_test}"
        return f"{self.test}:{self.code}"

    def clean(self) -> None:
        # Her summary gives every step a date; a rule that asks her to act
        # without saying by when would leave one undated.
        acting = (
            Conclusion.RECALL,
            Conclusion.REFER,
            Conclusion.PRECANCER,
            Conclusion.CANCER,
        )
        if self.conclusion in acting and self.follow_up_days is None:
            raise ValidationError(
                {
                    "follow_up_days": _(
                        "A rule that asks her to act needs the days within "
                        "which she should."
                    )
                }
            )


class ResultSource(models.TextChoices):
    DESK = "desk", _("Clinic desk")
    IMPORT = "import", _("Lab import")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ResultImport(models.Model):
    """One uploaded lab CSV. The file holds references, results and free-text
    notes, so it is kept only until its run ends, and sealed meanwhile (any
    worker can read it, a copy of the database cannot); the row errors are
    sealed too and hold no note text. `file_hash` is a keyed hash, so the column
    cannot be matched against a file an intruder holds; with it a second upload
    of the same file by the same uploader for the same sites is a no-op
    (another site's nurse with the same file gets her own import)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # The sites whose visits this upload may record results for; null: any site
    # (a program admin). Screening knows sites only by id.
    site_ids = models.JSONField(_("sites"), null=True, blank=True)
    # A file is often named after the woman or the day; sealed like the rest.
    filename = EncryptedTextField(_("file name"), blank=True)
    file_hash = models.CharField(_("file hash"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    # Erased (null) once the run has ended, done or failed.
    content = EncryptedBytesField(_("content"), null=True, blank=True)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ImportStatus.choices,
        default=ImportStatus.PENDING,
    )
    message = models.TextField(_("message"), blank=True)
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows processed"), default=0)
    recorded = models.PositiveIntegerField(_("results recorded"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    # [{"row", "field", "message", "reference"}]; the reference lets her
    # erasure drop her rows. Emptied after RESULT_IMPORT_ERRORS_DAYS.
    errors = EncryptedJSONField(_("errors"), default=list, blank=True)
    errors_erased_at = models.DateTimeField(
        _("row errors erased at"), null=True, blank=True
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Moves with every committed batch; a run that stops moving is picked up again.
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("result import")
        verbose_name_plural = _("result imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One import per file, uploader and sites, even for two uploads at
            # once; an admin's upload (any site) and an unknown uploader count
            # as one value each, not as distinct nulls.
            models.UniqueConstraint(
                fields=["file_hash", "created_by", "site_ids"],
                name="one_import_per_file_uploader_and_sites",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"import {self.pk}"


class Result(models.Model):
    """One test's result at one visit. Never updated in place: a correction adds
    a row and marks the earlier one superseded, so the history stays."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="results"
    )
    test = models.CharField(_("test"), max_length=32, choices=ResultTest.choices)
    value = models.CharField(_("result code"), max_length=32)
    notes = EncryptedTextField(_("notes"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=ResultSource.choices)
    result_import = models.ForeignKey(
        ResultImport,
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="results",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    is_current = models.BooleanField(_("current"), default=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["visit", "test", "-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "test"],
                condition=Q(is_current=True),
                name="one_current_result_per_visit_and_test",
            )
        ]
        indexes = [models.Index(fields=["test", "value"])]

    def __str__(self) -> str:
        return f"result {self.pk}"


class ResultSummary(models.Model):
    """The visit's overall conclusion and what she should do; one per visit,
    replaced when results change. `version` counts changes of what she sees."""

    visit = models.OneToOneField(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="summary"
    )
    conclusion = models.CharField(
        _("conclusion"), max_length=16, choices=Conclusion.choices
    )
    severity = models.PositiveSmallIntegerField(_("severity"))
    urgent = models.BooleanField(_("urgent"), default=False)
    action_zh = models.CharField(_("action (Chinese)"), max_length=200)
    action_en = models.CharField(_("action (English)"), max_length=200)
    text_zh = models.TextField(_("explanation (Chinese)"))
    text_en = models.TextField(_("explanation (English)"))
    follow_up_due_on = models.DateField(_("follow up by"), null=True, blank=True)
    # One message per organ: [{"organ", "conclusion", "urgent", "text_zh",
    # "text_en", "steps": [{"action_zh", "action_en", "due_on", "urgent"}]}].
    organs = models.JSONField(_("per organ"), default=list, blank=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("result summary")
        verbose_name_plural = _("result summaries")
        indexes = [models.Index(fields=["conclusion"])]

    def __str__(self) -> str:
        return f"summary of visit {self.visit_id}"
