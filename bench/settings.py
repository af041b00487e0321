"""Production settings on this machine, for measuring the serving path."""

import os

os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from config.settings.production import *  # noqa: F403

# Measured over plain HTTP on loopback; production keeps its redirects and HSTS.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Measured against the file backend: no gateway is called from this machine.
SMS_DEVELOPMENT_BACKENDS_ALLOWED = True
# Both servers keep their database connections, as production does
# (DB_CONN_MAX_AGE), and the ceiling's statements are never prepared: it is all ORM.

if os.environ.get("BENCH_SMOKE") == "1":
    # The smoke run (`bench/run --smoke`) proves the benchmark, not the static
    # storage: collecting and compressing 39 MB of static files would take it a
    # minute, so its servers read them from the app folders, as the tests do.
    STORAGES = {
        **STORAGES,  # noqa: F405
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    WHITENOISE_USE_FINDERS = True
