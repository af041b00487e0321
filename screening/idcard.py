"""Resident identity numbers (公民身份号码, GB 11643-1999).

An 18-character number: a 6-digit address code, the birth date as YYYYMMDD, a
3-digit sequence whose last digit gives the sex (odd male, even female), and an
ISO 7064 MOD 11-2 check character.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

IdErrorCode = Literal[
    "id_format", "id_15_digits", "id_checksum", "id_date", "id_future"
]

_MESSAGES: dict[str, Promise] = {
    "id_format": _(
        "Enter the 18-character ID number: 17 digits followed by a digit or X."
    ),
    "id_15_digits": _(
        "This is an old 15-digit ID number. Please enter the 18-digit number "
        "on your current ID card."
    ),
    "id_checksum": _(
        "This ID number is not valid. Please check it for typing mistakes."
    ),
    "id_date": _(
        "The birth date in this ID number does not exist. "
        "Please check it for typing mistakes."
    ),
    "id_future": _(
        "The birth date in this ID number is in the future. "
        "Please check it for typing mistakes."
    ),
}

# Weight of position i (from 1) is 2^(18 - i) mod 11, as ISO 7064 MOD 11-2 sets it.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"

# [0-9] rather than \d: \d would also let through full-width and other Unicode digits.
_EIGHTEEN = re.compile(r"[0-9]{17}[0-9X]")
_FIFTEEN = re.compile(r"[0-9]{15}")

# Province-level codes (GB/T 2260) plus 71 (Taiwan) and 81-83, which the residence
# permits for Hong Kong, Macao and Taiwan residents use.
_PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37}
    | {41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65}
    | {71, 81, 82, 83}
)


class InvalidIdNumber(ValueError):
    """An ID number that cannot be accepted.

    `code` is stable for programs; `message` is for the person who typed it.
    """

    def __init__(self, code: IdErrorCode) -> None:
        self.code: str = code
        self.message: Promise = _MESSAGES[code]
        # The lazy message goes into args untranslated, so raising needs no settings.
        super().__init__(self.message)


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: date
    sex: Literal["F", "M"]
    region_code: str
    # Only a hint for staff: codes are abolished or renamed, and numbers stay valid
    # for life, so an unknown region is never a reason to reject.
    region_known: bool


# Any whitespace, the full-width space of Chinese input methods included.
_WHITESPACE = re.compile(r"\s+")


def normalise_id_number(raw: str) -> str:
    """The form to hash and compare: full-width characters as their ASCII selves
    (a Chinese input method in full-width mode types U+FF10-U+FF19 and U+FF38), spaces
    anywhere gone (numbers are often typed or pasted in groups), X in upper case.
    Other Unicode digits stay as they are, and so are refused as a format error."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", raw)).upper()


def id_check_character(body: str) -> str:
    """The check character for the first 17 digits of an ID number."""
    if len(body) != len(_WEIGHTS) or not body.isascii() or not body.isdigit():
        raise ValueError("an ID number body is exactly 17 ASCII digits")
    total = sum(
        int(digit) * weight for digit, weight in zip(body, _WEIGHTS, strict=True)
    )
    return _CHECK_CHARACTERS[total % 11]


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Check an ID number and read the birth date, sex and region from it.

    Raises InvalidIdNumber. The checks run in a fixed order (format, 15-digit,
    check character, date, future), so one number always gets the same code.
    """
    number = normalise_id_number(raw)
    if _FIFTEEN.fullmatch(number):
        raise InvalidIdNumber("id_15_digits")
    if not _EIGHTEEN.fullmatch(number):
        raise InvalidIdNumber("id_format")
    if id_check_character(number[:17]) != number[17]:
        raise InvalidIdNumber("id_checksum")

    try:
        birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber("id_date") from None
    if today is None:
        today = timezone.localdate()
    if birth_date > today:
        raise InvalidIdNumber("id_future")

    return IdNumber(
        number=number,
        birth_date=birth_date,
        sex="M" if int(number[16]) % 2 else "F",
        region_code=number[:6],
        region_known=int(number[:2]) in _PROVINCE_CODES,
    )


def age_on(birth_date: date, day: date) -> int:
    """Age in full years (周岁) on `day`.

    Someone born on 29 February reaches the next year of age on 1 March in a
    non-leap year, not on 28 February.
    """
    if day < birth_date:
        raise ValueError("day is before birth_date")
    # Comparing (month, day) pairs gives the 29 February rule without a special
    # case: (2, 28) < (2, 29) < (3, 1).
    birthday_not_yet_reached = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - birthday_not_yet_reached
