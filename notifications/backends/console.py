import logging

from common.masking import mask_phone
from notifications.backends.base import OutgoingMessage, SendResult

# A message printed is the normal course of `make run`, not a warning: logged at
# INFO (a plain print reached the worker's log as WARNING, Celery's level for
# anything written to stdout).
logger = logging.getLogger("notifications.sms")


class ConsoleBackend:
    """Logs each message, phone masked, for `make run`."""

    name = "console"

    def send(self, message: OutgoingMessage) -> SendResult:
        logger.info(
            "[SMS to %s] (%s) %s", mask_phone(message.phone), message.kind, message.text
        )
        return SendResult(accepted=True, provider_message_id=message.correlation_id)
