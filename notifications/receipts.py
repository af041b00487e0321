"""Delivery receipts: what the carriers report back, and applying it to the outbox.

Providers push receipts in batches, may push the same one again, and retry a
batch we did not acknowledge, so applying a receipt is idempotent and a row
never moves back from delivered.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ParseError

from common.json_parser import json_loads_bounded
from notifications.models import Notification, Status

logger = logging.getLogger(__name__)

# Both Chinese providers report Beijing time without a zone.
CHINA = ZoneInfo("Asia/Shanghai")
# Stored in last_error when a failure report carries no code of its own.
UNDELIVERED = "undelivered"


@dataclass(frozen=True)
class Receipt:
    provider: str
    provider_message_id: str
    correlation_id: str
    delivered: bool
    error_code: str
    reported_at: datetime | None


class ReceiptMalformed(ValueError):
    """The body is not a receipt batch at all; the provider should be told (400)."""


def _items(body: bytes) -> list[dict[str, Any]]:
    try:
        # Bounded: a body nested thousands deep would otherwise be a 500.
        data = json_loads_bounded(body)
    except (ValueError, UnicodeDecodeError, ParseError):
        raise ReceiptMalformed("The body is not JSON.") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ReceiptMalformed("The body is not a JSON array of receipts.")
    # One odd entry must not make the provider resend, and finally drop, the
    # whole batch: it is skipped and the rest applied.
    items = [item for item in data if isinstance(item, dict)]
    if len(items) < len(data):
        logger.warning("notifications.receipt_skipped count=%s", len(data) - len(items))
    return items


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


# For the receipt parsers of other channels (notifications.voice.receipts).
def items_of(body: bytes) -> list[dict[str, Any]]:
    return _items(body)


def text_of(value: Any) -> str:
    return _text(value)


def _china_time(value: Any) -> datetime | None:
    """A "2017-01-01 00:00:00" in Beijing time; None when it cannot be read."""
    try:
        parsed = datetime.strptime(_text(value), "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007
    except ValueError:
        return None
    return parsed.replace(tzinfo=CHINA)


def _true(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return _text(value).lower() == "true"


def parse_aliyun(body: bytes) -> list[Receipt]:
    """Alibaba Cloud's HTTP batch push: a JSON array of {phone_number, send_time,
    report_time, success, err_code, err_msg, sms_size, biz_id, out_id}."""
    receipts = []
    for item in _items(body):
        delivered = _true(item.get("success"))
        receipts.append(
            Receipt(
                provider="aliyun",
                provider_message_id=_text(item.get("biz_id")),
                correlation_id=_text(item.get("out_id")),
                delivered=delivered,
                error_code="" if delivered else _text(item.get("err_code")),
                reported_at=_china_time(item.get("report_time")),
            )
        )
    return receipts


def parse_tencent(body: bytes) -> list[Receipt]:
    """Tencent Cloud's status callback: a JSON array of {user_receive_time,
    nationcode, mobile, report_status, errmsg, description, sid}; `sid` is the
    SerialNo that SendSms returned."""
    receipts = []
    for item in _items(body):
        delivered = _text(item.get("report_status")).upper() == "SUCCESS"
        receipts.append(
            Receipt(
                provider="tencent",
                provider_message_id=_text(item.get("sid")),
                # The callback does not echo SessionContext.
                correlation_id="",
                delivered=delivered,
                error_code="" if delivered else _text(item.get("errmsg")),
                reported_at=_china_time(item.get("user_receive_time")),
            )
        )
    return receipts


def parse_http(body: bytes) -> list[Receipt]:
    """The generic gateway: a JSON array (or one object) of {id, correlation_id,
    status ("delivered"/"failed"), error, reported_at (ISO 8601)}."""
    receipts = []
    for item in _items(body):
        delivered = _text(item.get("status")).lower() == "delivered"
        try:
            reported_at = parse_datetime(_text(item.get("reported_at")))
        except ValueError:
            reported_at = None
        if reported_at is not None and timezone.is_naive(reported_at):
            reported_at = None
        receipts.append(
            Receipt(
                provider="http",
                provider_message_id=_text(item.get("id")),
                correlation_id=_text(item.get("correlation_id")),
                delivered=delivered,
                error_code="" if delivered else _text(item.get("error")),
                reported_at=reported_at,
            )
        )
    return receipts


def _rows_for(receipt: Receipt) -> QuerySet[Notification] | None:
    """The provider's id first; our correlation id (the dedupe key) when a send
    timed out before we learnt the provider's id."""
    by_provider = Notification.objects.filter(provider=receipt.provider)
    if receipt.provider_message_id:
        rows = by_provider.filter(provider_message_id=receipt.provider_message_id)
        if rows.exists():
            return rows
    if receipt.correlation_id:
        rows = by_provider.filter(dedupe_key=receipt.correlation_id)
        if rows.exists():
            return rows
    return None


def receipts_apply(receipts: Iterable[Receipt]) -> int:
    """Mark the matching rows delivered or failed; returns how many rows changed.

    Each change is one conditional UPDATE that leaves delivered rows alone, so a
    repeated or late receipt, or two pushes racing, can never move a row back
    from delivered. A receipt that matches no row is logged (ids only) and
    ignored.
    """
    changed = 0
    for receipt in receipts:
        rows = _rows_for(receipt)
        if rows is None:
            logger.info(
                "notifications.receipt_unmatched provider=%s provider_message_id=%s",
                receipt.provider,
                receipt.provider_message_id,
            )
            continue
        now = timezone.now()
        open_rows = rows.exclude(status=Status.DELIVERED)
        if receipt.delivered:
            changed += open_rows.update(
                status=Status.DELIVERED,
                delivered_at=receipt.reported_at or now,
                updated_at=now,
            )
        else:
            error = receipt.error_code or UNDELIVERED
            changed += open_rows.exclude(status=Status.FAILED, last_error=error).update(
                status=Status.FAILED, last_error=error, updated_at=now
            )
    return changed
