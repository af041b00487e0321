"""The outbox. It stores what it must send and never imports a domain model."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.crypto import EncryptedTextField
from common.models import TimeStampedModel


class Kind(models.TextChoices):
    OTP = "otp", _("Sign-in code")
    BOOKING_CONFIRMED = "booking_confirmed", _("Booking confirmed")
    REMINDER_DAY_BEFORE = "reminder_day_before", _("Reminder the day before")
    REMINDER_SAME_DAY = "reminder_same_day", _("Reminder the same morning")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    CANCELLED = "cancelled", _("Cancelled")
    MISSED = "missed", _("Missed visit")
    RESULT_READY = "result_ready", _("Result ready")
    FOLLOW_UP_DUE = "follow_up_due", _("Follow-up due")
    RECOLLECTION = "recollection", _("Please come back for a new sample")
    FAILSAFE_DIGEST = "failsafe_digest", _("Failsafe digest for the clinic lead")
    COME_BACK = "come_back", _("Please come back for the tests not done")
    WAITLIST_OFFER = "waitlist_offer", _("A place held from the waitlist")
    INVITATION = "invitation", _("Invitation to screening")
    INVITATION_REMINDER = "invitation_reminder", _("Invitation reminder")
    # Lets an admin prove a gateway's set-up end to end without touching a booking.
    TEST = "test", _("Test message")


class Channel(models.TextChoices):
    """How a message reaches her; a woman's chain tries them in her order."""

    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat subscribe message")
    VOICE = "voice", _("Voice call")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    SKIPPED = "skipped", _("Skipped")


class MessageTemplate(TimeStampedModel):
    """Editable text of one kind of message; `${name}` marks a parameter."""

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, unique=True)
    body_zh = models.TextField(_("text (Chinese)"))
    body_en = models.TextField(_("text (English)"))
    aliyun_template_code = models.CharField(
        _("Alibaba Cloud template code"), max_length=64, blank=True
    )
    tencent_template_id = models.CharField(
        _("Tencent Cloud template id"), max_length=64, blank=True
    )
    param_names = models.JSONField(
        _("parameter names, in the gateway's order"), default=list, blank=True
    )
    # 订阅消息: the template chosen in the official account's console and which
    # of our parameters fills each of its keys ({"thing1": "site", ...}).
    wechat_template_id = models.CharField(
        _("WeChat subscribe template id"), max_length=64, blank=True
    )
    wechat_fields = models.JSONField(
        _("WeChat template keys and the parameter of each"), default=dict, blank=True
    )
    voice_tts_code = models.CharField(
        _("Alibaba Cloud voice (TTS) template code"), max_length=64, blank=True
    )

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


class Notification(TimeStampedModel):
    """One message to one phone. `dedupe_key` makes a second copy impossible."""

    # Rebuilt by `rotate_keys` when ID_HASH_KEY changes; see Participant.
    KEYED_HASHES = {"recipient_hash": ("recipient_phone", "phone")}

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    recipient_phone = EncryptedTextField(_("phone"))
    # Looked up through notification_phone_day_idx, whose first column it is.
    recipient_hash = models.CharField(_("phone hash"), max_length=64)
    recipient_ref = models.CharField(_("recipient"), max_length=64, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    context = models.JSONField(_("parameters"), default=dict, blank=True)
    # Parameters that open something (a sign-in code): a JSON object, encrypted
    # like the phone, never shown to staff, erased once the message is sent or
    # given up on, or its code has expired (notifications.secrets).
    secret_params = EncryptedTextField(_("secret parameters"), null=True, blank=True)
    # Unique by notification_one_per_dedupe_key (Meta.constraints).
    dedupe_key = models.CharField(_("dedupe key"), max_length=200)
    send_at = models.DateTimeField(_("send at"))
    # The visit a reminder is about: it is never sent later than an hour before.
    not_after = models.DateTimeField(_("not after"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    provider = models.CharField(_("provider"), max_length=32, blank=True)
    provider_message_id = models.CharField(
        _("provider message id"), max_length=128, blank=True
    )
    last_error = models.TextField(_("last error"), blank=True)
    # The channel chain (notifications.services.chain): this row's channel, the
    # channels still to try after it, the WeChat openid when it goes by WeChat
    # (encrypted, never shown), and when the next step's row was written.
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.SMS
    )
    fallback = models.JSONField(_("channels still to try"), default=list, blank=True)
    recipient_openid = EncryptedTextField(_("WeChat openid"), null=True, blank=True)
    handed_on_at = models.DateTimeField(_("handed on at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-send_at", "-id"]
        constraints = [
            # One index for both questions asked of the key: is it taken (=,
            # ON CONFLICT), and which keys start so (a visit's reminders, LIKE
            # 'prefix%'). `unique=True` would build one for each, and every
            # insert and every rewrite of a row would write to both.
            models.UniqueConstraint(
                fields=["dedupe_key"],
                name="notification_one_per_dedupe_key",
                opclasses=["varchar_pattern_ops"],
            ),
        ]
        # Each send rewrites its row three times, and a rewrite adds an entry to
        # every index whose condition the new row meets: the fewer and the
        # narrower, the faster the outbox drains.
        indexes = [
            # The dispatcher's question: which pending rows are due, oldest first.
            models.Index(
                fields=["send_at", "id"],
                name="notification_due_idx",
                condition=models.Q(status="pending"),
            ),
            # The reclaim's question: which claims have been out too long.
            models.Index(
                fields=["status", "claimed_at"],
                name="notification_claimed_idx",
                condition=models.Q(status__in=["queued", "sending"]),
            ),
            # The daily limit's question: how many has this phone had today.
            models.Index(
                fields=["recipient_hash", "claimed_at"],
                name="notification_phone_day_idx",
            ),
            # The eraser's question: which rows still hold a secret (few).
            models.Index(
                fields=["send_at"],
                name="notification_secret_idx",
                condition=models.Q(secret_params__isnull=False),
            ),
            # A receipt's question, asked only with an id. A plain index:
            # `db_index` would add a second one for LIKE, which nothing asks.
            models.Index(
                fields=["provider_message_id"],
                name="notification_provider_id_idx",
                condition=~models.Q(provider_message_id=""),
            ),
            # The chain's question: which rows with a next channel are not yet
            # handed on (few: most rows have no fallback, or are handed on).
            models.Index(
                fields=["updated_at"],
                name="notification_chain_idx",
                condition=models.Q(handed_on_at__isnull=True) & ~models.Q(fallback=[]),
            ),
        ]

    def __str__(self) -> str:
        return self.dedupe_key
