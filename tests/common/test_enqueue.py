"""Services start tasks by name; each name must find the task that runs it."""

import pytest

from common.enqueue import task_named
from notifications import services as notification_services
from notifications import tasks as notification_tasks
from screening import tasks as screening_tasks
from screening.results import imports, recording


@pytest.mark.parametrize(
    ("name", "task"),
    [
        (notification_services.SEND_TASK, notification_tasks.notification_send_task),
        (
            notification_services.SEND_BATCH_TASK,
            notification_tasks.notifications_send_batch_task,
        ),
        (
            notification_services.SEND_IMMEDIATE_TASK,
            notification_tasks.notifications_send_immediate_task,
        ),
        (recording.SUMMARY_COMPUTE_TASK, screening_tasks.summary_compute_task),
        (imports.RESULT_IMPORT_RUN_TASK, screening_tasks.result_import_run_task),
        (imports.SUMMARY_COMPUTE_MANY_TASK, screening_tasks.summary_compute_many_task),
    ],
)
def test_a_task_started_by_name_is_the_registered_task(name, task) -> None:
    assert task_named(name) is task._get_current_object()


def test_a_name_nobody_registered_is_refused() -> None:
    with pytest.raises(KeyError):
        task_named("screening.no_such_task")
