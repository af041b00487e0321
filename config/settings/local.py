"""The embedded default: SQLite and a broker that needs no server (`make run`)."""

import os
from pathlib import Path

from config.env import env_str

_VAR = Path(__file__).resolve().parent.parent.parent / "var"
_VAR.mkdir(exist_ok=True)

# Development-only values, set before base reads them; production demands its own.
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault(
    "SECRET_KEY", "local-only-secret-key-never-used-in-production-0123456789"
)
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEY", "bG9jYWwtb25seS1maWVsZC1rZXktMzJieXRlcy0wMDA="
)
os.environ.setdefault("ID_HASH_KEY", "local-only-id-hash-key-0123456789")
# Staff sign in with a password only; STAFF_TWO_FACTOR_REQUIRED=true tries two steps.
os.environ.setdefault("STAFF_TWO_FACTOR_REQUIRED", "false")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
os.environ.setdefault(
    "PUBLIC_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_VAR / 'ankang.sqlite3'}")

from config.settings.base import *  # noqa: E402

# No Redis here: each process keeps its own short-lived copies (docs/adr/0006),
# unless CACHE_URL names a Redis.
if not os.environ.get("CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The worker could not see this process's note that a send is on its way.
    OUTBOX_COALESCE_IMMEDIATE = False

# kombu's filesystem transport: web, worker and beat share a folder instead of a server.
_BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        # Else kombu keeps its exchange table in ./control, wherever it was started.
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }

SMS_BACKEND = env_str("SMS_BACKEND", "console")
# `make run`: WeChat subscribe messages and voice calls appear in the worker's
# output like SMS (a woman reaches WeChat by signing in through /wechat/signin/).
WECHAT_BACKEND = env_str("WECHAT_BACKEND", "console")
VOICE_BACKEND = env_str("VOICE_BACKEND", "console")
