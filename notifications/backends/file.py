import fcntl
import json

from django.conf import settings
from django.utils import timezone

from notifications.backends.base import OutgoingMessage, SendResult


class FileBackend:
    """One JSON line per message at SMS_FILE_PATH; an exclusive lock keeps lines whole
    when several worker processes write at once."""

    name = "file"

    def send(self, message: OutgoingMessage) -> SendResult:
        path = settings.SMS_FILE_PATH
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "phone": message.phone,
                "kind": message.kind,
                "text": message.text,
                "time": timezone.now().isoformat(),
                "dedupe_key": message.correlation_id,
            },
            ensure_ascii=False,
        )
        with path.open("a", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                handle.write(line + "\n")
                handle.flush()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return SendResult(accepted=True, provider_message_id=message.correlation_id)
