"""Handing rows to Celery: by id, by batch of ids, or one kick for every answer
due at once (ADR 0003, ADR 0008). Tasks are started by name (common.enqueue):
the tasks module imports the services, never the other way round."""

import logging

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

from common.enqueue import task_named

logger = logging.getLogger(__name__)

# The tasks that the services start, by name (see common.enqueue).
SEND_TASK = "notifications.send"
SEND_BATCH_TASK = "notifications.send_batch"
SEND_IMMEDIATE_TASK = "notifications.send_immediate"

IMMEDIATE_KICK_KEY = "outbox:immediate-kick"


def enqueue_send(notification_id: int) -> None:
    task_named(SEND_TASK).delay(notification_id)


def enqueue_sends(notification_ids: list[int]) -> None:
    size = settings.OUTBOX_SEND_BATCH_SIZE
    for start in range(0, len(notification_ids), size):
        task_named(SEND_BATCH_TASK).delay(notification_ids[start : start + size])


def kick_or_enqueue(notification_id: int) -> None:
    """An answer due at once: one kick for all of them, or a task of its own."""
    if settings.OUTBOX_COALESCE_IMMEDIATE:
        notifications_kick_immediate()
    else:
        enqueue_send(notification_id)


def notifications_kick_immediate() -> None:
    """Called on commit of an answer due at once: publish the task that sends
    every such answer, unless one is already published and has not yet started.

    The note that a task is on its way is a cache key set only if absent. The
    task deletes it before it looks for rows (notifications_send_immediate), so
    a row it does not see was committed after the deletion, and that row's own
    kick publishes the next task. The task starts OUTBOX_IMMEDIATE_LINGER_MS
    late, so that the answers of a surge go many to a task. A task lost with
    the broker holds back the next kick for OUTBOX_IMMEDIATE_KICK_SECONDS at
    most; beat sends what it left in the meantime."""
    try:
        first = cache.add(
            IMMEDIATE_KICK_KEY, 1, timeout=settings.OUTBOX_IMMEDIATE_KICK_SECONDS
        )
    except RedisError:
        # Without the note, a task per answer: more work, nothing held back.
        logger.warning("notifications.kick_without_cache", exc_info=True)
        first = True
    if first:
        linger = settings.OUTBOX_IMMEDIATE_LINGER_MS / 1000
        task_named(SEND_IMMEDIATE_TASK).apply_async(countdown=linger or None)


def kick_note_clear() -> None:
    """Free the note before looking for rows: a row committed after this kicks
    a run of its own."""
    try:
        cache.delete(IMMEDIATE_KICK_KEY)
    except RedisError:
        logger.warning("notifications.kick_without_cache", exc_info=True)
