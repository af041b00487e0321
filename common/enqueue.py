"""Starting a Celery task by its registered name.

A service that must start a task looks the task up by name instead of
importing the tasks module: that module imports the service, so the import
would run back up in a circle. The name finds the very object that
`@shared_task` registered (its `delay` and `apply_async` are the ones callers
and tests see); each app's `ready()` imports its tasks module so that the name
is registered in every process, not only in the workers.
"""

from celery import current_app
from celery.app.task import Task


def task_named(name: str) -> Task:
    """The registered task called `name`; KeyError for a name nobody registered."""
    return current_app.tasks[name]
