"""What a booking tells her: the outbox rows it writes and the pre-visit notes.

The outbox stores parameters, not text; the templates (notifications) turn them
into the SMS. Times are computed in the site's zone: "the day before" and "this
morning" mean the clinic's day, whatever the server's clock says.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from common.rawsql import sealed_value
from notifications.models import Notification
from notifications.services import (
    Scheduled,
    notification_schedule,
    notifications_new,
    notifications_schedule_new,
)
from scheduling.models import Appointment, Slot

# DOMAIN §5.1, drafts for clinician review: (zh-hans, en).
PRE_VISIT_INSTRUCTIONS: tuple[tuple[str, str], ...] = (
    (
        "请携带本人身份证原件,按预约时间到达。",
        "Bring your original ID card and arrive at your booked time.",
    ),
    (
        "宫颈检查请避开月经期,月经干净后3-7天检查最佳;怀孕或非经期阴道出血者"
        "请暂缓检查并联系我们改约。",
        "Avoid your period for the cervical test; 3-7 days after your period ends "
        "is best. If you are pregnant or have bleeding outside your period, "
        "postpone and rebook.",
    ),
    (
        "检查前48小时内请勿同房、阴道冲洗、阴道内用药(如栓剂);阴道用药者建议"
        "停药72小时以上。",
        "For 48 hours before the test: no intercourse, no vaginal douching, no "
        "vaginal medicines (e.g., suppositories). Stop vaginal medication at least "
        "72 hours before.",
    ),
    (
        "无性生活史者一般不做宫颈检查,请提前告知医生;子宫全切者可只做乳腺检查。",
        "If you have never had sex, tell the doctor: the cervical test is usually "
        "not done. After a total hysterectomy you may do the breast check only.",
    ),
    (
        "两癌检查不需要空腹,也不用憋尿;妇科检查前请排空小便。",
        "No fasting and no full bladder needed. Empty your bladder before the "
        "gynaecological exam.",
    ),
    (
        "请穿上下分开的衣服,方便乳腺检查;乳腺超声以月经结束后3-7天为宜。",
        "Wear a separate top and bottom for the breast exam. Breast ultrasound is "
        "best 3-7 days after your period.",
    ),
    (
        "如有以往检查报告或病历,请一并携带。",
        "Bring previous reports if you have any.",
    ),
    (
        "检查后可能有少量出血或轻微不适,一般无需处理;出血多于月经量请及时就医。",
        "Slight spotting or discomfort afterwards is normal. If bleeding is heavier "
        "than a period, see a doctor.",
    ),
    (
        "请保持手机畅通,如需进一步检查我们会短信或电话通知您。",
        "Keep your phone on. We will text or call if you need further tests.",
    ),
)

# A reminder that would arrive this close to the visit is no help: she is on her way.
REMINDER_MIN_LEAD = timedelta(hours=1)
MESSAGE_LANGUAGE = "zh-hans"


def pre_visit_instructions(*, language: str = "zh-hans") -> list[str]:
    english = language.startswith("en")
    return [en if english else zh for zh, en in PRE_VISIT_INSTRUCTIONS]


@dataclass(frozen=True)
class Reminder:
    suffix: str
    kind: str
    send_at: datetime


def _clock(value: str | time) -> time:
    # Settings parse HH:MM into a time; an override in a test may still be text.
    return value if isinstance(value, time) else time.fromisoformat(value)


def reminder_times(*, slot: Slot, now: datetime) -> list[Reminder]:
    """The reminders still worth sending for a visit in `slot`, as of `now`.

    The day before at 18:00 and the same morning at 07:30 in the site's zone (both
    settable), each dropped when its time has passed or falls within the last hour
    before the visit. Quiet hours are the outbox's part (ADR 0005): the 07:30
    reminder goes at 08:00, or is skipped when the visit is before 09:00.
    """
    zone = ZoneInfo(slot.site.timezone)
    visit_day = slot.starts_at.astimezone(zone).date()
    day_before_at = _clock(getattr(settings, "REMINDER_DAY_BEFORE_AT", "18:00"))
    same_day_at = _clock(getattr(settings, "REMINDER_SAME_DAY_AT", "07:30"))
    candidates = [
        Reminder(
            suffix="reminder-1d",
            kind="reminder_day_before",
            send_at=datetime.combine(
                visit_day - timedelta(days=1), day_before_at, tzinfo=zone
            ),
        ),
        Reminder(
            suffix="reminder-0d",
            kind="reminder_same_day",
            send_at=datetime.combine(visit_day, same_day_at, tzinfo=zone),
        ),
    ]
    latest = slot.starts_at - REMINDER_MIN_LEAD
    return [r for r in candidates if now < r.send_at <= latest]


def visit_context(*, slot: Slot, reference: str) -> dict[str, str]:
    """Template parameters (notifications migration 0002): date, time, site,
    reference, in the site's zone."""
    local = slot.starts_at.astimezone(ZoneInfo(slot.site.timezone))
    return {
        "date": f"{local.month}月{local.day}日",
        "time": f"{local:%H:%M}",
        "site": slot.site.name,
        "reference": reference,
    }


def dedupe_prefix(appointment: Appointment) -> str:
    """Every message key of one appointment starts with this: cancelling by prefix
    reaches all of them."""
    return f"appointment:{appointment.pk}:"


def _dedupe_key(appointment: Appointment, suffix: str) -> str:
    key = f"{dedupe_prefix(appointment)}slot:{appointment.slot_id}:{suffix}"
    # After a move the slot alone no longer names the event: she may come back to
    # a slot whose earlier rows were cancelled.
    if appointment.reschedule_count:
        key += f":{appointment.reschedule_count}"
    return key


def _visit_messages(
    *, appointment: Appointment, kind: str, suffix: str, now: datetime
) -> list[Scheduled]:
    """The message of a new visit time, due now, and its reminders unless she
    turned reminders off."""
    slot = appointment.slot
    context = visit_context(slot=slot, reference=appointment.reference)
    messages = [
        Scheduled(
            kind=kind, dedupe_key=_dedupe_key(appointment, suffix), context=context
        )
    ]
    if appointment.participant.sms_reminders:
        messages += [
            Scheduled(
                kind=reminder.kind,
                dedupe_key=_dedupe_key(appointment, reminder.suffix),
                context=context,
                send_at=reminder.send_at,
                # Quiet hours may move a reminder, never past the visit.
                not_after=slot.starts_at,
            )
            for reminder in reminder_times(slot=slot, now=now)
        ]
    return messages


def _recipient(appointment: Appointment) -> dict[str, Any]:
    """Her phone as stored when the booking read it sealed: copied, not opened
    and sealed again (a decryption and an encryption per row saved)."""
    participant = appointment.participant
    sealed_phone = sealed_value(participant, "phone")
    return {
        "phone": sealed_phone or participant.phone,
        "phone_hash": participant.phone_hash if sealed_phone else None,
        "recipient_ref": f"participant:{participant.pk}",
        "language": MESSAGE_LANGUAGE,
        "zone": ZoneInfo(appointment.slot.site.timezone),
    }


def messages_for_visit(
    *, appointment: Appointment, kind: str, suffix: str, now: datetime
) -> None:
    """Queue the message of a new visit time (`booking_confirmed` or `rescheduled`),
    due now, and its reminders unless she turned reminders off. Runs in the
    caller's transaction, so a rolled-back booking leaves no message behind."""
    # The keys name this appointment at its new slot (and move count), which no
    # earlier row can carry: one INSERT for all of them.
    notifications_schedule_new(
        messages=_visit_messages(
            appointment=appointment, kind=kind, suffix=suffix, now=now
        ),
        **_recipient(appointment),
    )


def visit_notifications(
    *, appointment: Appointment, kind: str, suffix: str, now: datetime
) -> list[Notification]:
    """The unsaved outbox rows `messages_for_visit` writes, for a booking that
    writes them in its own statement (booking_statements.booking_write); they
    go to notifications_written once stored."""
    return notifications_new(
        messages=_visit_messages(
            appointment=appointment, kind=kind, suffix=suffix, now=now
        ),
        now=now,
        **_recipient(appointment),
    )


def message_cancelled(*, appointment: Appointment) -> None:
    participant = appointment.participant
    context = visit_context(slot=appointment.slot, reference=appointment.reference)
    notification_schedule(
        phone=participant.phone,
        kind="cancelled",
        dedupe_key=f"{dedupe_prefix(appointment)}cancelled",
        context=context,
        recipient_ref=f"participant:{participant.pk}",
        language=MESSAGE_LANGUAGE,
    )


def message_missed(*, appointment: Appointment) -> None:
    """The `missed` message of a no-show, due now, at most once per appointment.

    The rebooking link's address is fixed in the template text (notifications
    migration 0006): gateways refuse a URL in a variable. Only the campaign's
    number, the last part of the link's path, is a parameter.
    """
    participant = appointment.participant
    local = appointment.slot.starts_at.astimezone(
        ZoneInfo(appointment.slot.site.timezone)
    )
    notification_schedule(
        phone=participant.phone,
        kind="missed",
        dedupe_key=f"{dedupe_prefix(appointment)}missed",
        context={
            "date": f"{local.month}月{local.day}日",
            "campaign": str(appointment.campaign_id),
        },
        recipient_ref=f"participant:{participant.pk}",
        language=MESSAGE_LANGUAGE,
    )
