"""Phone numbers are common ground (common.phone): messages need them as much as
sign-up does. These names stay importable here for screening's own code."""

from common.phone import InvalidPhone, normalise_phone, phone_e164

__all__ = ["InvalidPhone", "normalise_phone", "phone_e164"]
