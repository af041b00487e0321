"""Barcode values: short, Code 128 friendly, free of look-alike characters."""

import secrets

# No 0/O, 1/I/L, 2/Z, 5/S or 8/B: a nurse who types a smudged label must not
# land on another woman's tube.
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
PREFIX = "S"
LENGTH = 9  # 25**9 ≈ 3.8e12 values: collisions are rare, and retried when they come.


def new_barcode() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_barcode(raw: str) -> str:
    """What a scanner or a hand typed, as stored: trimmed and upper-case."""
    return "".join(raw.split()).upper()[:16]
