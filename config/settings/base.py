"""Settings shared by every environment. Every value comes from the environment."""

import base64
import binascii
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
)

# The primary, its pooler and the reports replica; the Celery queues.
from config.settings.databases import *
from config.settings.queues import *

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Django's admin with a site that admits program admins only.
    "accounts.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "common",
    "accounts",
    "notifications",
    "screening",
    "screening.recall",
    "specimens",
    "stations",
    "reach",
    "scheduling",
    "scheduling.waitlist",
    "scheduling.invitations",
    "indicators",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "common.middleware.SecurityHeadersMiddleware",
    # A woman's Bearer-token booking is answered here, inside the security
    # headers and before the session and staff middleware it has no use for.
    "scheduling.booking_edge.BookingEdgeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Binds a WeChat openid waiting in her session once she has proved her phone.
    "reach.middleware.WeChatBindMiddleware",
    # After the messages: a session ended for idleness says so on the login page.
    "accounts.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lock-out into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": (
            "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
        )
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "staff-login"
AUTHENTICATION_BACKENDS = [
    # First: a locked-out account is refused before its password is even checked.
    "accounts.backends.StaffLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Staff lock-out (SPEC §4a): 5 failures lock the account for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
# By account from one address: a guesser elsewhere cannot lock a nurse out of
# her own desk by typing her name, and a clinic's tablets sharing one address
# lock only the account mistyped. The account as a whole is locked later, after
# STAFF_ACCOUNT_FAILURE_LIMIT failures from any address (accounts.account_lockout).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
STAFF_ACCOUNT_FAILURE_LIMIT = env_int("STAFF_ACCOUNT_FAILURE_LIMIT", 30, minimum=1)
# Who is mailed when a staff account is locked everywhere (and on server errors).
ADMINS = [(email, email) for email in env_list("ADMINS", [])]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# The client behind the trusted proxies, as the audit trail and OTP limits see it.
AXES_CLIENT_IP_CALLABLE = "common.client_address.client_address"

# Staff two-factor sign-in (TOTP, django-otp). On unless turned off: local and
# test settings turn it off for convenience; `check --deploy` warns when it is off.
STAFF_TWO_FACTOR_REQUIRED = env_bool("STAFF_TWO_FACTOR_REQUIRED", True)
OTP_TOTP_ISSUER = "Ankang"
# Wrong codes wait 1, 2, 4, 8 ... seconds before the next try, per device.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# The device admin of django-otp is not used (accounts.admin unregisters it); if it
# ever is, it must not show the secret keys.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Sessions expire: a shared clinic tablet must not stay logged in overnight.
# For staff it counts from sign-in, however busy the session (accounts.middleware).
SESSION_COOKIE_AGE = 8 * 60 * 60
# A staff session left alone this long is ended: the tablet on the desk at lunch.
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


def fernet_keys_from_env(name: str) -> list[str]:
    """A comma-separated list of Fernet keys: the first encrypts, all decrypt."""
    keys = env_list(name)
    for key in keys:
        try:
            raw = base64.urlsafe_b64decode(key.encode())
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ImproperlyConfigured(
                f"{name} must be comma-separated Fernet keys (32 url-safe base64 "
                "bytes each); generate one with "
                '`python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"`.'
            )
    return keys


FIELD_ENCRYPTION_KEYS = fernet_keys_from_env("FIELD_ENCRYPTION_KEY")
ID_HASH_KEY = env_str("ID_HASH_KEY")
if len(ID_HASH_KEY) < 16:
    raise ImproperlyConfigured("ID_HASH_KEY must be at least 16 characters long.")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Nesting and integers bounded, or either is a 500 (common.json_parser).
    "DEFAULT_PARSER_CLASSES": ["common.json_parser.BoundedJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "screening.authentication.ParticipantTokenAuthentication",
        "accounts.authentication.StaffTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ankang API",
    "DESCRIPTION": "Two-cancer screening: sign-up, booking, clinic desk and reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

# --- Celery (SPEC §2): JSON only, late acks on idempotent tasks, bounded time.
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
# Short-lived copies of the public listings (docs/adr/0006), shared by every web
# process. Its own Redis database in production (CACHE_URL): a flush or an eviction
# there must never touch the broker's queues.
CACHES = {
    "default": {
        # Django's, keeping one Redis client per pool (common/redis_cache.py).
        "BACKEND": "common.redis_cache.ReusingRedisCache",
        "LOCATION": env_str("CACHE_URL", REDIS_URL),
        "KEY_PREFIX": "ankang",
    }
}
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Whatever a task prints is ordinary output, not a warning.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"

# --- Messages (SPEC §5).
SMS_BACKEND = env_choice(
    "SMS_BACKEND", "console", ("console", "file", "locmem", "aliyun", "tencent", "http")
)
SMS_FILE_PATH = Path(env_str("SMS_FILE_PATH", str(VAR_DIR / "sms.jsonl")))
# console, file and locmem keep phone numbers and sign-in codes in logs, a file
# or memory: production refuses them (notifications.E002).
SMS_DEVELOPMENT_BACKENDS_ALLOWED = True
OUTBOX_BATCH_SIZE = env_int("OUTBOX_BATCH_SIZE", 500, minimum=1)
# A row claimed but never sent (a lost task, a flushed broker) goes back to the pool.
OUTBOX_RECLAIM_AFTER_SECONDS = env_int("OUTBOX_RECLAIM_AFTER_SECONDS", 300, minimum=30)

# --- One-time codes (SPEC §4a): a registration drive puts many women behind one IP.
OTP_LIMIT_PER_PHONE_MINUTE = env_int("OTP_LIMIT_PER_PHONE_MINUTE", 1, minimum=1)
OTP_LIMIT_PER_PHONE_HOUR = env_int("OTP_LIMIT_PER_PHONE_HOUR", 5, minimum=1)
OTP_LIMIT_PER_PHONE_DAY = env_int("OTP_LIMIT_PER_PHONE_DAY", 10, minimum=1)
OTP_LIMIT_PER_IP_HOUR = env_int("OTP_LIMIT_PER_IP_HOUR", 20, minimum=1)

# Reverse proxies in front of the web process whose X-Forwarded-For is believed
# (common.client_address). 0: the client is REMOTE_ADDR.
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)

LOG_LEVEL = env_choice(
    "LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- The channels messages go out on: SMS gateways, WeChat, voice.
from config.settings.channels import *  # noqa: E402

# --- Retention and key rotation (SPEC §4a, DOMAIN §4.3).
# Participants are anonymised this many days after their campaign's last day
# (unless a follow-up case is still open); outbox rows lose their phone after
# MESSAGE_LOG_RETENTION_DAYS.
RETENTION_DAYS_AFTER_CAMPAIGN = env_int("RETENTION_DAYS_AFTER_CAMPAIGN", 180, minimum=1)
MESSAGE_LOG_RETENTION_DAYS = env_int("MESSAGE_LOG_RETENTION_DAYS", 365, minimum=1)
# The ID_HASH_KEY being replaced: look-ups accept hashes under either key until
# `manage.py rotate_keys` has rebuilt every stored hash. Empty when not rotating.
ID_HASH_KEY_PREVIOUS = env_str("ID_HASH_KEY_PREVIOUS", "")

# When messages go out (quiet hours, reminders, outbox batches): channels.py.
# "Result ready" waits this long after results are recorded at the desk: a
# correction in that time replaces the waiting message instead of sending a second.
RESULT_REVIEW_MINUTES = env_int("RESULT_REVIEW_MINUTES", 10, minimum=0)
# The specimens app sits below the site roster; this names the function that says
# which sites' tubes a member of staff may see (None: every site).
SPECIMEN_SITE_SCOPE = "scheduling.desk.selectors.upload_site_ids"
# Her result page sits below the specimens app; this names the function that
# lists her tubes still out, so the page never shows "no news" as normal.
RESULTS_PENDING_SOURCE = "specimens.failsafe.selectors.pending_for_participant"
# The same roster for the stations of the screening day (also below scheduling).
STATION_SITE_SCOPE = "scheduling.desk.selectors.upload_site_ids"
# How she picks her next station where order does not matter (ADR 0014):
# "shortest_wait" or "in_order".
STATION_ROUTING = env_choice(
    "STATION_ROUTING", "shortest_wait", ("shortest_wait", "in_order")
)

# Where the site is reached from outside: links in SMS (e.g. to rebook) start here.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "").rstrip("/")
# Lab rows are matched on tube barcodes by a layer above screening, named here so
# that screening never imports it.
RESULT_IMPORT_ROW_MATCHER = "specimens.lab_import.matching.rows_match"
