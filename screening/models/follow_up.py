"""The follow-up of an abnormal summary and its status rules (DOMAIN §1.5)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.crypto import EncryptedTextField
from common.models import TimeStampedModel
from screening.errors import FollowUpTransitionInvalid
from screening.models.participants import Participant
from screening.models.results import Conclusion, Visit


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
