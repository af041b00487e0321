"""The one application error; services raise subclasses, the API and forms show them."""

from typing import Any

from django.utils.functional import Promise


class ApplicationError(Exception):
    """A domain rule said no. `code` is stable for clients; `detail` is for people."""

    code: str = "error"
    status: int = 400

    def __init__(
        self,
        detail: str | Promise | None = None,
        *,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.detail = detail if detail is not None else self.default_detail()
        if code is not None:
            self.code = code
        self.extra = extra or {}
        super().__init__(str(self.detail))

    def default_detail(self) -> str | Promise:
        return self.code


class NotFound(ApplicationError):
    code = "not_found"
    status = 404


class Conflict(ApplicationError):
    code = "conflict"
    status = 409


class Forbidden(ApplicationError):
    code = "forbidden"
    status = 403
