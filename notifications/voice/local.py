"""Voice backends that ring no one: the console for `make run`, memory for tests.
Apart from the Alibaba adapter so they load without its SDK (an extra)."""

import logging

from notifications.backends.base import OutgoingMessage, SendResult

calls: list[OutgoingMessage] = []


class VoiceConsoleBackend:
    """Logs each call's text, for `make run`."""

    name = "voice_console"

    def send(self, message: OutgoingMessage) -> SendResult:
        logging.getLogger("notifications.voice").info(
            "[Voice call] (%s) %s", message.kind, message.text
        )
        return SendResult(accepted=True, provider_message_id=message.correlation_id)


class VoiceLocmemBackend:
    name = "voice_locmem"

    def send(self, message: OutgoingMessage) -> SendResult:
        calls.append(message)
        return SendResult(accepted=True, provider_message_id=message.correlation_id)
