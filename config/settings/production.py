"""Production hardens and demands its secrets; nothing here has a usable default."""

from config.env import env_bool, env_int, env_list, env_str
from config.settings.base import *
from config.settings.base import fernet_keys_from_env

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 50:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters.")
FIELD_ENCRYPTION_KEYS = fernet_keys_from_env("FIELD_ENCRYPTION_KEY")
ID_HASH_KEY = env_str("ID_HASH_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True

# A password alone never opens a staff page, the admin or a staff API token here.
STAFF_TWO_FACTOR_REQUIRED = env_bool("STAFF_TWO_FACTOR_REQUIRED", True)

# Phone numbers and sign-in codes must not end up in logs or files: a real
# gateway only (notifications.E002 stops `migrate` and `check` otherwise).
SMS_DEVELOPMENT_BACKENDS_ALLOWED = False
