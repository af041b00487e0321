import sys

from common.masking import mask_phone
from notifications.backends.base import OutgoingMessage, SendResult


class ConsoleBackend:
    """Prints each message, phone masked, for `make run`."""

    name = "console"

    def send(self, message: OutgoingMessage) -> SendResult:
        sys.stdout.write(
            f"[SMS to {mask_phone(message.phone)}] ({message.kind}) {message.text}\n"
        )
        sys.stdout.flush()
        return SendResult(accepted=True, provider_message_id=message.correlation_id)
