"""The test suite: real PostgreSQL and real Redis (see tests/conftest.py)."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnop")
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEY", "dGVzdC1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcy0wMDA="
)
os.environ.setdefault("ID_HASH_KEY", "test-only-id-hash-key-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/ankang")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("SMS_BACKEND", "locmem")
# Staff sign in with a password only, unless a test turns two steps on.
os.environ.setdefault("STAFF_TWO_FACTOR_REQUIRED", "false")

from config.settings.base import *

# Fast hashing: the suite creates many staff users; production keeps Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Static files come from the app folders in tests; nothing is collected.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Each test starts with an empty cache (tests/conftest.py); this process's own copy,
# so that emptying it never touches the broker's Redis database.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# One send task per answer, unless a test turns sharing on with a Redis cache.
OUTBOX_COALESCE_IMMEDIATE = False
