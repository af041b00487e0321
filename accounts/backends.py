"""Authentication backends of staff logins."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.http import HttpRequest

from accounts.account_lockout import staff_account_locked, staff_lockout_alert


class StaffLockoutBackend(AxesStandaloneBackend):
    """django-axes' lock-out check for every login that arrives with a request.

    An authenticate() call without a request happens only inside the process (a
    management command, the shell, a test): there is no remote party to lock
    out, and axes would refuse the call outright.

    Axes locks an account from one address; the account as a whole is locked
    here, at a higher count over every address (accounts.account_lockout).
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)
        if username and staff_account_locked(username=username):
            staff_lockout_alert(username=username, request=request, scope="account")
            # Read by axes' middleware, which answers with AXES_LOCKOUT_CALLABLE.
            request.axes_locked_out = True  # type: ignore[attr-defined]
            raise AxesBackendPermissionDenied("The account is locked everywhere.")
        return None
