from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReachConfig(AppConfig):
    name = "reach"
    verbose_name = _("Reaching every woman")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from notifications.recipients import recipient_reach_register
        from reach import signals  # noqa: F401 - connects the receivers
        from reach.selectors import reach_for_recipient

        recipient_reach_register(reach_for_recipient)
