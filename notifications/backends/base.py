import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class SendResult:
    accepted: bool
    provider_message_id: str = ""
    error: str = ""
    # Only transient failures (timeouts, 5xx, throttling) are tried again.
    transient: bool = False


@dataclass(frozen=True)
class OutgoingMessage:
    phone: str
    kind: str
    template_key: str
    params: dict[str, str]
    text: str
    correlation_id: str
    # Where a channel other than SMS delivers: her WeChat openid.
    address: str = ""


class SmsBackend(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> SendResult: ...


@runtime_checkable
class SupportsBatchSend(Protocol):
    """A backend that takes several messages in one call: one result each, in
    order. What it writes must stay as safe to ask about afterwards
    (`query_status`) as one `send` at a time."""

    def send_many(self, messages: Sequence[OutgoingMessage]) -> list[SendResult]: ...


# What a gateway knows about one message it may or may not have been given.
# Only "not_found" means it never took the message, so sending again cannot make
# a second copy; "unknown" (no answer yet, or the gateway could not be asked)
# means wait and ask again later.
DeliveryStatus = Literal["delivered", "failed", "unknown", "not_found"]


@runtime_checkable
class SupportsStatusQuery(Protocol):
    """A gateway that can be asked about a message it may already have taken.

    Providers do not de-duplicate, so a send that timed out is checked here
    before it is tried again. `phone` and `sent_at` narrow the search on
    gateways that can only look messages up by number and day.
    """

    def query_status(
        self,
        correlation_id: str,
        provider_message_id: str = "",
        *,
        phone: str = "",
        sent_at: datetime | None = None,
    ) -> DeliveryStatus: ...


class MessageNotSendable(Exception):
    """The message can never be sent as it stands (no approved template, a number
    that is not a mainland mobile): a permanent failure, not worth a retry."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


_MAINLAND_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def mainland_number(phone: str) -> str:
    """The bare 11 digits of a mainland mobile, whatever prefix it was stored with."""
    digits = re.sub(r"[\s\-()]", "", phone)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    if not _MAINLAND_MOBILE.fullmatch(digits):
        raise MessageNotSendable("invalid_phone")
    return digits


def e164_number(phone: str) -> str:
    return "+86" + mainland_number(phone)


def required_setting(name: str, backend: str) -> str:
    """A gateway setting, or ImproperlyConfigured naming the variable: a gateway
    that cannot send must stop start-up, not fail each message later."""
    value = getattr(settings, name, "")
    if not value:
        raise ImproperlyConfigured(
            f"Set the environment variable {name} to use SMS_BACKEND={backend}."
        )
    return str(value)


def ordered_params(message: OutgoingMessage, param_names: Sequence[str]) -> list[str]:
    """The template's parameters as strings, in the template's order. A template
    that names no parameters takes none; one the message lacks is permanent."""
    try:
        return [str(message.params[name]) for name in param_names]
    except KeyError:
        raise MessageNotSendable("template_param_missing") from None
