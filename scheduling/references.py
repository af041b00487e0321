"""Booking references a person can read aloud, and check-in tokens nobody can guess."""

import secrets

# No 0/O, 1/I/L: a reference is read over a desk and typed on a phone.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 8


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def normalise_reference(raw: str) -> str:
    return raw.strip().upper().replace("-", "").replace(" ", "")


def new_checkin_token() -> str:
    return secrets.token_urlsafe(32)
