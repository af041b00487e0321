"""Production settings on this machine, for measuring the serving path."""

import os

os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from config.settings.production import *  # noqa: F403

# Measured over plain HTTP on loopback; production keeps its redirects and HSTS.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Both servers keep their database connections, as production does
# (DB_CONN_MAX_AGE), and the ceiling's statements are never prepared: it is all ORM.
