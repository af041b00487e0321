from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLINIC = "clinic", _("Clinic staff")
    UNION = "union", _("Union staff")
    ADMIN = "admin", _("Program admin")
    # Signs women up beside them at rider stations and drives (SPEC §8.5); sees
    # counts of her own sign-ups, never a woman's ID number or results.
    STEWARD = "steward", _("Union steward")


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


class StaffToken(models.Model):
    """An API token of a staff account. Only a hash of the key is stored: a copy of
    the database does not let anyone act as the desk."""

    user = models.ForeignKey(
        User,
        verbose_name=_("staff account"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("staff API token")
        verbose_name_plural = _("staff API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"token {self.pk}"


class StaffSession(models.Model):
    """Which page sessions belong to which staff account.

    Session rows are signed blobs that cannot be searched by user, so disabling an
    account or resetting its second factor finds the sessions to end here. Kept up
    to date on sign-in, on sign-out and whenever a session's key changes.
    """

    user = models.ForeignKey(
        User,
        verbose_name=_("staff account"),
        on_delete=models.CASCADE,
        related_name="staff_sessions",
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff session")
        verbose_name_plural = _("staff sessions")

    def __str__(self) -> str:
        return f"session {self.pk} of user {self.user_id}"
