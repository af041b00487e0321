"""Times are shown on the site's clock wherever staff read them, never in the
database's UTC."""

from zoneinfo import ZoneInfo

import pytest

from scheduling.models import Slot
from tests.accounts.factories import program_admin
from tests.scheduling.factories import SlotFactory

pytestmark = pytest.mark.django_db


def test_a_slot_is_named_by_its_local_start_not_utc() -> None:
    slot = Slot.objects.select_related("site").get(pk=SlotFactory().pk)

    # Read back from the database, the start is a UTC datetime (01:00Z).
    assert slot.starts_at.utcoffset().total_seconds() == 0
    local_day = slot.starts_at.astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert str(slot).endswith(f"{local_day:%Y-%m-%d} 09:00")


def test_the_admin_slot_page_names_the_slot_at_its_local_start(client) -> None:  # type: ignore[no-untyped-def]
    slot = SlotFactory()
    client.force_login(program_admin())

    html = client.get(f"/admin/scheduling/slot/{slot.pk}/change/").content.decode()

    assert f"{slot.site.name} " in html
    assert " 09:00" in html
    assert " 01:00" not in html
