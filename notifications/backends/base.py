from dataclasses import dataclass
from typing import Protocol


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


class SmsBackend(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> SendResult: ...
