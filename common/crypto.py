"""Field encryption (Fernet, rotating keys) and keyed hashes for look-ups.

The database never sees a raw ID number, phone number or medical note: values are
encrypted in the application, and equality look-ups go through an HMAC that needs
a key the database does not hold.
"""

import functools
import hashlib
import hmac
import json
import zlib
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@functools.lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    # Read on every call (cached per key set) so a settings change takes effect.
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_text(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError(
            "A stored value could not be decrypted with any FIELD_ENCRYPTION_KEY."
        ) from None


def _hmac(key: str, value: str, purpose: str) -> str:
    message = f"{purpose}:{value}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of a normalised value; `purpose` keeps ID and phone hashes apart."""
    return _hmac(settings.ID_HASH_KEY, value, purpose)


def keyed_hash_candidates(value: str, *, purpose: str) -> list[str]:
    """The hash under the current key and, while a rotation of ID_HASH_KEY is
    under way, under ID_HASH_KEY_PREVIOUS too: a row not yet rebuilt by
    `rotate_keys` still carries the old one, and must still be found."""
    hashes = [keyed_hash(value, purpose=purpose)]
    previous = getattr(settings, "ID_HASH_KEY_PREVIOUS", "")
    if previous and previous != settings.ID_HASH_KEY:
        hashes.append(_hmac(previous, value, purpose))
    return hashes


@dataclass(frozen=True)
class Sealed:
    """An encrypted column's value as stored, its Fernet token, carried to
    another encrypted column without being opened and sealed again: a booking
    copies her phone into the outbox this way (common.rawsql, `sealed`). Every
    encrypted column is sealed with the same keys (FIELD_ENCRYPTION_KEYS), so
    the copy opens wherever the original does, and key rotation re-seals both."""

    token: str


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python code sees the plain value,
    or writes a Sealed one through as it is."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Sealed):
            return value.token
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        # Encrypted tokens differ each time: any look-up but isnull would silently miss.
        if lookup_name != "isnull":
            raise TypeError(
                f"{self.name} is encrypted; look it up through its keyed hash."
            )
        return super().get_lookup(lookup_name)


def encrypt_bytes(value: bytes) -> str:
    # Compressed first: a lab export shrinks several times, and the token is
    # base64, a third larger than what it seals.
    return fernet().encrypt(zlib.compress(value)).decode()


def decrypt_bytes(token: str) -> bytes:
    try:
        return zlib.decompress(fernet().decrypt(token.encode()))
    except InvalidToken:
        raise ValueError(
            "A stored value could not be decrypted with any FIELD_ENCRYPTION_KEY."
        ) from None


class EncryptedBytesField(EncryptedTextField):
    """Bytes (an uploaded file), compressed and sealed like any encrypted text.
    A subclass, so key rotation finds and re-encrypts it too."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return None
        return decrypt_bytes(value)

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt_bytes(bytes(value))


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (lists of row errors), sealed like any encrypted text."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return None
        return json.loads(decrypt_text(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt_text(json.dumps(value, ensure_ascii=False))
