"""SMS backends behind one interface, chosen by SMS_BACKEND."""

import importlib
from dataclasses import dataclass

from django.conf import settings

from notifications.backends.base import (
    SendResult,
    SmsBackend,
    SupportsBatchSend,
    SupportsStatusQuery,
)
from notifications.backends.console import ConsoleBackend
from notifications.backends.file import FileBackend
from notifications.backends.locmem import LocmemBackend

_BACKENDS: dict[str, type[SmsBackend]] = {
    "console": ConsoleBackend,
    "file": FileBackend,
    "locmem": LocmemBackend,
}


@dataclass(frozen=True)
class _Gateway:
    module: str
    class_name: str
    # The pip extra that installs the SDK, and the SDK's top-level packages.
    extra: str = ""
    sdk: str = ""
    sdk_packages: tuple[str, ...] = ()


# Imported only when chosen: their SDKs are optional extras.
_GATEWAYS: dict[str, _Gateway] = {
    "aliyun": _Gateway(
        module="notifications.backends.aliyun",
        class_name="AliyunBackend",
        extra="aliyun",
        sdk="Alibaba Cloud SMS SDK (alibabacloud-dysmsapi20170525)",
        sdk_packages=("alibabacloud_", "darabonba", "Tea"),
    ),
    "tencent": _Gateway(
        module="notifications.backends.tencent",
        class_name="TencentBackend",
        extra="tencent",
        sdk="Tencent Cloud SMS SDK (tencentcloud-sdk-python-sms)",
        sdk_packages=("tencentcloud",),
    ),
    "http": _Gateway(module="notifications.backends.http", class_name="HttpBackend"),
}

__all__ = [
    "SendResult",
    "SmsBackend",
    "SupportsBatchSend",
    "SupportsStatusQuery",
    "get_backend",
]


def _load_gateway(name: str, gateway: _Gateway) -> type[SmsBackend]:
    try:
        module = importlib.import_module(gateway.module)
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if not (gateway.extra and missing.startswith(gateway.sdk_packages)):
            raise
        raise LookupError(
            f"SMS_BACKEND {name!r} needs the {gateway.sdk}, which is not "
            f'installed: pip install "ankang[{gateway.extra}]".'
        ) from None
    return getattr(module, gateway.class_name)


def get_backend(name: str | None = None) -> SmsBackend:
    """The configured backend. LookupError when it is unknown or its SDK is not
    installed; ImproperlyConfigured, naming the variable, when a setting it needs
    is empty."""
    name = name or settings.SMS_BACKEND
    if name in _BACKENDS:
        return _BACKENDS[name]()
    if name in _GATEWAYS:
        return _load_gateway(name, _GATEWAYS[name])()
    raise LookupError(
        f"SMS_BACKEND {name!r} is not available in this version; "
        f"choose one of {', '.join(sorted([*_BACKENDS, *_GATEWAYS]))}."
    )
