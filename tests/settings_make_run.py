"""The `make run` settings (SQLite, no broker server) with static files read
from the app folders, as the test settings do: `make run` collects them first,
a test has nothing collected."""

from config.settings.local import *  # noqa: F403
from config.settings.local import STORAGES

STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
