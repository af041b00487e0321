from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Messages")

    def ready(self) -> None:
        # A gateway that cannot send must stop start-up, not fail each message later.
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        from notifications import (
            checks,  # noqa: F401 - registers the checks
            tasks,  # noqa: F401 - the services start them by name
        )
        from notifications.backends import get_backend
        from notifications.channels import get_channel_backend

        try:
            get_backend(settings.SMS_BACKEND)
            if settings.VOICE_BACKEND == "aliyun":
                get_channel_backend("voice")
        except LookupError as exc:
            raise ImproperlyConfigured(str(exc)) from None
