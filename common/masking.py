"""Display masking (脱敏) for names, mobile numbers and ID numbers.

Applied on the server before a value reaches a page, an export or a log line.
These functions never raise: a value that does not look as expected is masked
more, not less.
"""

from __future__ import annotations

import re

_MOBILE = re.compile(r"[0-9]{11}")

# A two-character surname is only assumed when the name is longer than it, so
# "欧阳" on its own is read as surname 欧 and given name 阳.
COMPOUND_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "令狐",
        "澹台",
    }
)


def _keep_ends(value: str, head: int, tail: int) -> str:
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail :]


def _keep_last_four(value: str) -> str:
    # Below eight characters the last four would be most of the value.
    if len(value) < 8:
        return "*" * len(value)
    return _keep_ends(value, 0, 4)


def mask_phone(phone: str | None) -> str:
    """138****5678 for a mobile number; anything else keeps only its last four."""
    value = (phone or "").strip()
    if _MOBILE.fullmatch(value):
        return _keep_ends(value, 3, 4)
    return _keep_last_four(value)


def mask_id_number(id_number: str | None) -> str:
    """410105********1234: the region stays readable, the birth date is hidden.

    Numbers too short to be a resident ID number (passports and other documents)
    keep only their last four characters.
    """
    value = (id_number or "").strip()
    if len(value) >= 15:
        return _keep_ends(value, 6, 4)
    return _keep_last_four(value)


def mask_name(name: str | None) -> str:
    """The surname and one star for each other character: 张*, 欧阳**.

    At least one character is always hidden, so a one-character name is all stars.
    """
    value = (name or "").strip()
    if len(value) > 2 and value[:2] in COMPOUND_SURNAMES:
        return _keep_ends(value, 2, 0)
    if len(value) > 1:
        return _keep_ends(value, 1, 0)
    return "*" * len(value)
