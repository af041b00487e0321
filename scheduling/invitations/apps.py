from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationsConfig(AppConfig):
    name = "scheduling.invitations"
    label = "invitations"
    verbose_name = _("Invitations")

    def ready(self) -> None:
        from scheduling.invitations import tasks  # noqa: F401
