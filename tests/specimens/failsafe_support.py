"""Tubes taken at a known moment, for the failsafe's clock-moving tests."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from tests.specimens.factories import collected

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


def tubes_taken_at(moment: datetime = T0, visit: Any = None) -> list[Any]:
    with time_machine.travel(moment, tick=False):
        return collected(visit)


@pytest.fixture
def no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "notifications.services.handover.enqueue_send", lambda _pk: None
    )
