"""What staff sign-in says no with. Each error has a stable `code`."""

from django.utils.translation import gettext, ngettext

from common.errors import ApplicationError


class OtpDeviceMissing(ApplicationError):
    """Two-factor sign-in is required and this account has not set it up."""

    code = "otp_device_missing"
    status = 400

    def default_detail(self) -> str:
        return gettext(
            "This account has no authenticator app yet. Sign in on the staff login "
            "page to set one up, then ask for a token again."
        )


class OtpTokenRequired(ApplicationError):
    code = "otp_token_required"
    status = 400

    def default_detail(self) -> str:
        return gettext("Enter the 6-digit code from your authenticator app.")


class OtpTokenInvalid(ApplicationError):
    """Wrong, already used or too old: one answer, so nothing is learned."""

    code = "otp_token_invalid"
    status = 400

    def default_detail(self) -> str:
        return gettext(
            "This code is wrong or has already been used. Enter the current code "
            "from your authenticator app, or one of your backup codes."
        )


class OtpTokenThrottled(ApplicationError):
    """Too many wrong codes in a row: the device refuses every code, right or not,
    until `retry_after` seconds have passed (and twice as long after each new
    miss)."""

    code = "otp_token_throttled"
    status = 429

    def __init__(self, *, retry_after: int) -> None:
        self.retry_after = retry_after
        detail = ngettext(
            "Too many wrong codes. Wait %(seconds)d second, then enter the current "
            "code.",
            "Too many wrong codes. Wait %(seconds)d seconds, then enter the current "
            "code.",
            retry_after,
        ) % {"seconds": retry_after}
        super().__init__(detail, extra={"retry_after": retry_after})


class AlreadyEnrolled(ApplicationError):
    """A second authenticator is never added over the first: whoever knows the
    password would otherwise replace the owner's phone with theirs."""

    code = "otp_already_enrolled"
    status = 409

    def default_detail(self) -> str:
        return gettext(
            "This account already has an authenticator app. Ask a program admin "
            "to reset it if the phone was lost."
        )
