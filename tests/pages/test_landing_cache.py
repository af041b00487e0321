"""The landing page renders its campaign cards once every few seconds per language;
everything that depends on who is reading stays outside that copy."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from scheduling.models import Slot
from screening.models import Campaign
from tests.pages.flow import registered_woman, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def test_the_landing_page_reads_no_database_while_its_cards_are_fresh(
    slot: Slot, django_assert_num_queries
) -> None:
    first = Client().get("/")

    with django_assert_num_queries(0):
        again = Client().get("/")

    assert first.status_code == again.status_code == 200
    assert f'href="/signup/{slot.campaign_id}/"' in again.content.decode()


def test_a_reader_in_english_never_gets_the_chinese_cards(slot: Slot) -> None:
    chinese = Client().get("/").content.decode()

    english = Client().get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "剩余名额" in chinese
    assert "Places left" in english
    assert "剩余名额" not in english


def test_the_cached_cards_show_the_places_left_when_they_were_rendered(
    campaign: Campaign, slot: Slot
) -> None:
    page = Client().get("/").content.decode()

    assert '<dd class="big">10</dd>' in page


def test_a_signed_in_woman_sees_her_own_menu_over_cached_cards(slot: Slot) -> None:
    Client().get("/")  # the cards are cached by someone signed out
    client = Client()
    registered_woman("13900003333")
    sign_in(client, "13900003333")

    page = client.get("/").content.decode()

    assert 'href="/my/"' in page
    assert f'href="/signup/{slot.campaign_id}/"' in page


def test_each_reader_gets_her_own_csrf_token_over_cached_cards(slot: Slot) -> None:
    first, second = Client(), Client()

    first.get("/")
    second.get("/")

    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
