from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLINIC = "clinic", _("Clinic staff")
    UNION = "union", _("Union staff")
    ADMIN = "admin", _("Program admin")


class User(AbstractUser):
    """A staff account. Participants are not users: they sign in with an SMS code."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("staff account")
        verbose_name_plural = _("staff accounts")

    @property
    def is_clinic(self) -> bool:
        return self.role == Role.CLINIC

    @property
    def is_union(self) -> bool:
        return self.role == Role.UNION

    @property
    def is_program_admin(self) -> bool:
        return self.role == Role.ADMIN
