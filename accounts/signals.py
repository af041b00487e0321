"""Keeping the staff session index (accounts.models.StaffSession) true, and the
safety net that ends every session of an account saved as disabled."""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.account_lockout import staff_lockout_alert
from accounts.models import User
from accounts.services import staff_sessions_end
from accounts.session import staff_session_forget, staff_session_started


@receiver(user_logged_in, dispatch_uid="accounts.staff_signed_in")
def _staff_signed_in(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    if request is not None and hasattr(request, "session"):
        staff_session_started(request, user=user)


@receiver(user_logged_out, dispatch_uid="accounts.staff_signed_out")
def _staff_signed_out(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        staff_session_forget(request)


@receiver(post_save, sender=User, dispatch_uid="accounts.disabled_account_signed_out")
def _disabled_account_signed_out(
    sender: type[User], instance: User, created: bool, **kwargs: Any
) -> None:
    """However an account is disabled (the admin's form, the shell, a script), it
    is signed out everywhere in the same transaction. staff_deactivate does this
    itself and records who did it."""
    if not created and not instance.is_active:
        staff_sessions_end(user=instance)


@receiver(user_locked_out, dispatch_uid="accounts.staff_locked_out")
def _staff_locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any
) -> None:
    # Axes locks an account from one address; the alert says so.
    staff_lockout_alert(username=username or "", request=request, scope="address")
