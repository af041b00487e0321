from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Staff accounts")
    default = True

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from accounts import checks, signals  # noqa: F401  (they register themselves)
        from accounts.program_admins import program_admins_group_ensure

        post_migrate.connect(
            program_admins_group_ensure, dispatch_uid="accounts.program_admins"
        )


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin on a site that admits program admins only (accounts.admin_site).

    Not the default config of this module (`default = False`): INSTALLED_APPS names
    it in place of "django.contrib.admin".
    """

    default = False
    default_site = "accounts.admin_site.StaffAdminSite"
