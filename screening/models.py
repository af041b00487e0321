from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.cellkey import new_record_key
from common.crypto import EncryptedBytesField, EncryptedJSONField, EncryptedTextField
from common.masking import mask_id_number, mask_name, mask_phone
from common.models import TimeStampedModel
from screening.errors import FollowUpTransitionInvalid


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

    KEYED_HASHES = {"phone_hash": ("phone", "phone")}

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


# --- Visits, results, summaries and follow-up (SPEC §3, DOMAIN §1.4-1.5).


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


class FollowUpStatus(models.TextChoices):
    OPEN = "OPEN", _("Open")
    NOTIFIED = "NOTIFIED", _("Notified")
    REFERRED = "REFERRED", _("Referred")
    DONE_EXAM = "DONE_EXAM", _("Examination done")
    DIAGNOSED = "DIAGNOSED", _("Diagnosed")
    TREATED = "TREATED", _("Treated")
    OBSERVATION = "OBSERVATION", _("Under observation")
    CLOSED = "CLOSED", _("Closed")
    DECLINED = "DECLINED", _("Declined")
    LOST = "LOST", _("Lost to follow-up")


S = FollowUpStatus
# DOMAIN §1.5. A lost woman who turns up again is notified afresh; a case
# opened by a result that was then corrected to normal may close at once.
FOLLOW_UP_TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.NOTIFIED, S.REFERRED, S.DECLINED, S.LOST, S.CLOSED}),
    S.NOTIFIED: frozenset({S.REFERRED, S.DONE_EXAM, S.DECLINED, S.LOST}),
    S.REFERRED: frozenset({S.DONE_EXAM, S.DECLINED, S.LOST}),
    S.DONE_EXAM: frozenset({S.DIAGNOSED, S.CLOSED}),
    S.DIAGNOSED: frozenset({S.TREATED, S.OBSERVATION, S.CLOSED}),
    S.TREATED: frozenset({S.CLOSED}),
    S.OBSERVATION: frozenset({S.TREATED, S.CLOSED}),
    S.DECLINED: frozenset({S.CLOSED}),
    S.LOST: frozenset({S.NOTIFIED, S.CLOSED}),
    S.CLOSED: frozenset(),
}
# Waiting for her to act: the worklist and the reminders are about these.
FOLLOW_UP_AWAITING = frozenset({S.OPEN, S.NOTIFIED, S.REFERRED})
FOLLOW_UP_COMPLETED = frozenset(
    {S.DONE_EXAM, S.DIAGNOSED, S.TREATED, S.OBSERVATION, S.CLOSED}
)
FOLLOW_UP_ENDED = frozenset({S.CLOSED, S.DECLINED, S.LOST})
del S


class FollowUpCase(TimeStampedModel):
    """The follow-up of one visit's abnormal or suspicious summary."""

    visit = models.OneToOneField(
        Visit,
        verbose_name=_("visit"),
        on_delete=models.PROTECT,
        related_name="follow_up",
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    site_id = models.PositiveIntegerField(_("site id"), db_index=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=FollowUpStatus.choices,
        default=FollowUpStatus.OPEN,
    )
    conclusion = models.CharField(
        _("conclusion"), max_length=16, choices=Conclusion.choices
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    failed_contacts = models.PositiveSmallIntegerField(
        _("failed contacts in a row"), default=0
    )
    diagnosis_code = models.CharField(_("diagnosis code"), max_length=32, blank=True)
    # Each round of reminders takes new message keys: cancelled rows keep theirs.
    reminders_scheduled = models.PositiveSmallIntegerField(
        _("reminders scheduled"), default=0
    )
    closed_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up case")
        verbose_name_plural = _("follow-up cases")
        ordering = ["-urgent", "due_on", "id"]
        indexes = [models.Index(fields=["status", "site_id"])]

    def __str__(self) -> str:
        return f"follow-up {self.pk}"

    def set_status(self, to_status: str) -> str:
        """Move to `to_status` if DOMAIN §1.5 allows it; returns the old status.
        The caller saves; every status change goes through here."""
        if to_status not in FOLLOW_UP_TRANSITIONS.get(self.status, frozenset()):
            raise FollowUpTransitionInvalid(
                from_status=self.status, to_status=to_status
            )
        old = self.status
        self.status = to_status
        if to_status in FOLLOW_UP_ENDED:
            self.closed_at = timezone.now()
        elif old in FOLLOW_UP_ENDED:
            self.closed_at = None
        return old


class FollowUpEventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    STATUS = "status", _("Status changed")
    CONTACT = "contact", _("Contact attempt")


class FollowUpEvent(models.Model):
    """What happened to a case, and every attempt to reach her."""

    case = models.ForeignKey(
        FollowUpCase,
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FollowUpEventKind.choices)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    reached = models.BooleanField(_("reached"), null=True, blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("follow-up event")
        verbose_name_plural = _("follow-up events")
        ordering = ["case", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id}"


# --- Her rights (PIPL art. 44-47): deletion requests.


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


# Declared in their own module; imported here so the app registers them.
from screening.contact_models import (  # noqa: E402, F401
    ContactAttempt,
    ContactOutcome,
    RevealPurpose,
)
