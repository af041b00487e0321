"""Handing rows to Celery: by id, by batch of ids, or one kick for every answer
due at once (ADR 0003, ADR 0008). Tasks are started by name (common.enqueue):
the tasks module imports the services, never the other way round."""

import logging
import time

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


# When, by this process's clock, the shared task it knows of starts: until then
# (less the margin) an answer committed here is one that task will find, and
# its kick asks Redis nothing (docs/adr/0022).
_task_known_until = 0.0


def _clock() -> float:
    return time.time()


def _note_task(starts_at: float) -> tuple[bool, object]:
    """Note a task starting at `starts_at` unless one is noted: (True, None)
    when this call noted it, else (False, the start noted before)."""
    timeout = settings.OUTBOX_IMMEDIATE_KICK_SECONDS
    add_or_read = getattr(cache, "add_or_read", None)
    if add_or_read is not None:
        return add_or_read(IMMEDIATE_KICK_KEY, starts_at, timeout=timeout)
    if cache.add(IMMEDIATE_KICK_KEY, starts_at, timeout=timeout):
        return True, None
    return False, cache.get(IMMEDIATE_KICK_KEY)


def _remember(starts_at: object, *, now: float, linger: float) -> None:
    """Keep the noted start of the shared task, less the margin that covers
    the clocks of the other processes. A note from before carries no time;
    one further ahead than the linger came from a clock that is wrong, and
    trusting it would hold back sign-in codes until beat."""
    global _task_known_until
    if isinstance(starts_at, float) and starts_at <= now + linger:
        margin = settings.OUTBOX_IMMEDIATE_CLOCK_MARGIN_MS / 1000
        _task_known_until = max(_task_known_until, starts_at - margin)


def kick_memory_clear() -> None:
    """Forget the task this process knew of (the tests' fresh process)."""
    global _task_known_until
    _task_known_until = 0.0


def notifications_kick_immediate() -> None:
    """Called on commit of an answer due at once: publish the task that sends
    every such answer, unless one is already published and has not yet started.

    The note that a task is on its way is a cache key set only if absent, and
    holds the time the task starts. The task deletes it before it looks for
    rows (notifications_send_immediate), so a row it does not see was committed
    after the deletion, and that row's own kick publishes the next task. The
    task starts OUTBOX_IMMEDIATE_LINGER_MS late, so that the answers of a surge
    go many to a task; a process that has read the start skips the cache until
    then, as the task cannot begin before it. A task lost with the broker holds
    back the next kick for OUTBOX_IMMEDIATE_KICK_SECONDS at most; beat sends
    what it left in the meantime."""
    now = _clock()
    if now < _task_known_until:
        return
    linger = settings.OUTBOX_IMMEDIATE_LINGER_MS / 1000
    try:
        first, noted = _note_task(now + linger)
    except RedisError:
        # Without the note each process publishes its own task: more work,
        # nothing held back.
        logger.warning("notifications.kick_without_cache", exc_info=True)
        first, noted = True, None
    if first:
        task_named(SEND_IMMEDIATE_TASK).apply_async(countdown=linger or None)
        noted = now + linger
    if linger:
        _remember(noted, now=now, linger=linger)


def kick_note_clear() -> None:
    """Free the note before looking for rows: a row committed after this kicks
    a run of its own."""
    try:
        cache.delete(IMMEDIATE_KICK_KEY)
    except RedisError:
        logger.warning("notifications.kick_without_cache", exc_info=True)
