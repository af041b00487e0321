from notifications.backends.base import OutgoingMessage, SendResult

# The test suite reads what was "sent" here, as Django's locmem mail backend does.
outbox: list[OutgoingMessage] = []


class LocmemBackend:
    name = "locmem"

    def send(self, message: OutgoingMessage) -> SendResult:
        outbox.append(message)
        return SendResult(accepted=True, provider_message_id=message.correlation_id)
