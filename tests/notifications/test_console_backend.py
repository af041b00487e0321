"""`make run` prints each message through the console backend: at INFO, the
phone masked, never tagged as a warning."""

import logging

from config.celery_app import app as celery_app
from notifications.backends.base import OutgoingMessage
from notifications.backends.console import ConsoleBackend


def test_a_printed_message_is_logged_at_info_with_the_phone_masked(caplog) -> None:  # type: ignore[no-untyped-def]
    message = OutgoingMessage(
        phone="13912345678",
        kind="booking_confirmed",
        template_key="booking_confirmed",
        params={},
        text="预约成功",
        correlation_id="booking:1",
    )

    with caplog.at_level(logging.INFO):
        result = ConsoleBackend().send(message)

    [record] = [r for r in caplog.records if "[SMS to" in r.getMessage()]
    assert record.levelno == logging.INFO
    assert "139****5678" in record.getMessage()
    assert "13912345678" not in record.getMessage()
    assert result.accepted


def test_the_worker_tags_printed_output_info_not_warning() -> None:
    assert celery_app.conf.worker_redirect_stdouts_level == "INFO"
