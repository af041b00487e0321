from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WaitlistConfig(AppConfig):
    name = "scheduling.waitlist"
    label = "waitlist"
    verbose_name = _("Waitlist")

    def ready(self) -> None:
        # Registers the sweep's name in every process (common.enqueue).
        from scheduling.waitlist import tasks  # noqa: F401
