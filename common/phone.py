"""Mainland China mobile numbers, stored as the bare 11 digits."""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# \s as well as plain spaces, because numbers pasted from chat apps often carry
# non-breaking or full-width spaces.
_SEPARATORS = re.compile(r"[\s\-().]")
_COUNTRY_PREFIXES = ("+86", "0086", "86")
# [0-9] rather than \d, which would also accept full-width digits.
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


class InvalidPhone(ValueError):
    code = "phone_invalid"

    def __init__(self) -> None:
        self.message: Promise = _("Enter an 11-digit mainland China mobile number.")
        super().__init__(self.message)


def normalise_phone(raw: str) -> str:
    """The bare 11 digits of a mainland mobile number, or InvalidPhone.

    IoT and data-only numbers (13 digits, 10x/14x) are rejected: they cannot
    receive the text messages this system sends.
    """
    digits = _SEPARATORS.sub("", raw)
    for prefix in _COUNTRY_PREFIXES:
        rest = digits.removeprefix(prefix)
        # Only a prefix when the rest is a whole number; otherwise "86" may be the
        # start of something else entirely.
        if rest != digits and len(rest) == 11:
            digits = rest
            break
    if not _MOBILE.fullmatch(digits):
        raise InvalidPhone
    return digits


def phone_e164(phone: str) -> str:
    """The number in E.164 form (+86 and 11 digits), as SMS providers take it."""
    return "+86" + normalise_phone(phone)
