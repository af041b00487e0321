"""The Celery queues and which tasks go to which (docker-compose.yml runs a worker
node per queue). Imported by config.settings.base."""

# Two queues, so that a node of workers can be kept for the messages a woman waits
# for (`celery worker -Q messages`) while another takes the slow work (imports,
# summaries, sweeps: `-Q celery`). A worker started without -Q consumes both.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = {"celery": {}, "messages": {}}
CELERY_TASK_ROUTES = {
    name: {"queue": "messages"}
    for name in (
        "notifications.send",
        "notifications.send_batch",
        "notifications.send_immediate",
    )
}
