"""Every page names its icon, and /favicon.ico answers."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_favicon_answers_and_may_be_cached(client: Client) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"
    assert "no-store" not in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/", "/signin/", "/staff/login/"])
def test_pages_link_their_icon(client: Client, path: str) -> None:
    page = client.get(path).content.decode()

    assert 'rel="icon"' in page
    assert "favicon.svg" in page
