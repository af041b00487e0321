"""SMS backends behind one interface, chosen by SMS_BACKEND."""

from django.conf import settings

from notifications.backends.base import SendResult, SmsBackend
from notifications.backends.console import ConsoleBackend
from notifications.backends.file import FileBackend
from notifications.backends.locmem import LocmemBackend

_BACKENDS: dict[str, type[SmsBackend]] = {
    "console": ConsoleBackend,
    "file": FileBackend,
    "locmem": LocmemBackend,
}

__all__ = ["SendResult", "SmsBackend", "get_backend"]


def get_backend(name: str | None = None) -> SmsBackend:
    name = name or settings.SMS_BACKEND
    try:
        backend_class = _BACKENDS[name]
    except KeyError:
        raise LookupError(
            f"SMS_BACKEND {name!r} is not available in this version; "
            f"choose one of {', '.join(sorted(_BACKENDS))}."
        ) from None
    return backend_class()
