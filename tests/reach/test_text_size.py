"""The large-text switch: it persists on the phone and goes back where she was."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_switch_persists_and_every_page_then_carries_large_text(client):
    switched = client.post("/text-size/", {"size": "large", "next": "/signin/"})
    assert switched.status_code == 302
    assert switched["Location"] == "/signin/"
    assert switched.cookies["ankang_text"]["max-age"] == 365 * 24 * 3600

    page = client.get("/signin/").content.decode()
    assert '<html lang="zh-hans" class="large-text">' in page
    assert 'name="size" value="normal"' in page


def test_switching_back_forgets_it(client):
    client.post("/text-size/", {"size": "large"})
    client.post("/text-size/", {"size": "normal"})
    assert 'class="large-text"' not in client.get("/signin/").content.decode()


def test_the_switch_never_sends_her_to_another_site(client):
    answer = client.post(
        "/text-size/", {"size": "large", "next": "https://evil.example/"}
    )
    assert answer["Location"] == "/"


def test_the_switch_takes_only_a_post(client):
    assert client.get("/text-size/").status_code == 405
