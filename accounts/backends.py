"""Authentication backends of staff logins."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class StaffLockoutBackend(AxesStandaloneBackend):
    """django-axes' lock-out check for every login that arrives with a request.

    An authenticate() call without a request happens only inside the process (a
    management command, the shell, a test): there is no remote party to lock
    out, and axes would refuse the call outright.
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
        return super().authenticate(request, username, password, **kwargs)
