"""Fixtures for the worker pages: an open campaign with one site and its slots."""

from datetime import timedelta

import pytest

from scheduling.models import Slot
from screening.models import Campaign, District
from tests.scheduling.factories import SiteFactory, SlotFactory, tomorrow_at
from tests.screening.factories import CampaignFactory, DistrictFactory


@pytest.fixture
def district() -> District:
    return DistrictFactory(name="解放区")


@pytest.fixture
def campaign(district: District) -> Campaign:
    return CampaignFactory(
        name="2026年新就业形态女性两癌筛查",
        districts=[district],
        contact_phone="0391-1234567",
    )


@pytest.fixture
def slot(campaign: Campaign) -> Slot:
    return SlotFactory(
        campaign=campaign, site=SiteFactory(name="市妇幼保健院"), capacity=10
    )


@pytest.fixture
def later_slot(slot: Slot) -> Slot:
    return SlotFactory(
        campaign=slot.campaign,
        site=slot.site,
        starts_at=tomorrow_at(10),
        ends_at=tomorrow_at(10) + timedelta(hours=1),
        capacity=10,
    )
