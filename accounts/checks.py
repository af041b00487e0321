"""A deployment without staff two-factor sign-in is flagged by `check --deploy`."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def staff_two_factor_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if getattr(settings, "STAFF_TWO_FACTOR_REQUIRED", True):
        return []
    return [
        Warning(
            "STAFF_TWO_FACTOR_REQUIRED is off: a staff password alone opens the "
            "desk, the union reports and the admin.",
            hint="Remove STAFF_TWO_FACTOR_REQUIRED=false from the environment.",
            id="accounts.W001",
        )
    ]
