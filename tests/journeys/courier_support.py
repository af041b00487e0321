"""What the courier's journeys share: her campaign, the code her phone receives."""

import re
import time
from dataclasses import dataclass
from datetime import timedelta

from notifications.backends import locmem
from scheduling.models import Site
from screening.models import Campaign
from tests.scheduling.factories import SiteFactory, SlotFactory, tomorrow_at
from tests.screening.factories import CampaignFactory, DistrictFactory

PHONE = "13800138000"


@dataclass
class CourierWorld:
    campaign: Campaign
    site: Site


def courier_world() -> CourierWorld:
    district = DistrictFactory(code="410802", name="解放区")
    campaign = CampaignFactory(name="新就业形态女性两癌筛查", districts=[district])
    site = SiteFactory(name="焦作市妇幼保健院")
    for hour in (9, 10, 14):
        SlotFactory(
            campaign=campaign,
            site=site,
            starts_at=tomorrow_at(hour),
            ends_at=tomorrow_at(hour) + timedelta(hours=1),
        )
    return CourierWorld(campaign=campaign, site=site)


def codes_sent(phone: str = PHONE) -> list[str]:
    return [
        re.search(r"\d{6}", message.text).group(0)  # type: ignore[union-attr]
        for message in locmem.outbox
        if message.kind == "otp" and message.phone.endswith(phone[-8:])
    ]


def wait_for_code(*, after: int = 0, seconds: float = 20) -> str:
    """The newest code once more than `after` codes reached her phone: the SMS
    travels through the outbox and a real worker, and arrives when it arrives."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        codes = codes_sent()
        if len(codes) > after:
            return codes[-1]
        time.sleep(0.1)
    raise AssertionError("no sign-in code reached her phone")
