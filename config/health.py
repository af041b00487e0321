"""Liveness of what the program needs: the database and the broker.

It lives with the Celery app it asks, at the top of the import order: nothing
below config knows which broker the program uses."""

import logging

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu.exceptions import OperationalError as BrokerError

from config.celery_app import app as celery_app

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz.db_down", exc_info=True)
        return False
    return True


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except (BrokerError, OSError, TimeoutError):
        logger.warning("healthz.broker_down", exc_info=True)
        return False
    return True


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"db": _database_ok(), "broker": _broker_ok()}
    body = {name: ("ok" if ok else "down") for name, ok in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
