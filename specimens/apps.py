from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpecimensConfig(AppConfig):
    name = "specimens"
    verbose_name = _("Specimens")
