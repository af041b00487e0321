"""Security headers on real answers, and the production settings behind them."""

import json
import os
import subprocess
import sys

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from tests.privacy.support import sign_in_page
from tests.screening.factories import ParticipantFactory, bearer_token
from tests.test_settings import PRODUCTION_ENV, ROOT

pytestmark = pytest.mark.django_db

PERSONAL_PAGES = ["/my/", "/my/data/", "/my/data.json"]
PERSONAL_APIS = ["/api/v1/participants/me/", "/api/v1/appointments/"]


def _assert_hardened(response) -> None:  # type: ignore[no-untyped-def]
    csp = response["Content-Security-Policy"]
    script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "default-src 'self'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("path", PERSONAL_PAGES)
def test_her_pages_carry_the_security_headers(client: Client, path: str) -> None:
    sign_in_page(client, ParticipantFactory())

    response = client.get(path)

    assert response.status_code == 200
    _assert_hardened(response)


@pytest.mark.parametrize("path", PERSONAL_APIS)
def test_her_api_answers_carry_the_security_headers(path: str) -> None:
    participant = ParticipantFactory()
    key = bearer_token(phone=participant.phone, participant=participant)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    response = client.get(path)

    assert response.status_code == 200
    _assert_hardened(response)


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_hsts_is_sent_over_https(client: Client) -> None:
    response = client.get("/", secure=True)

    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_production_cookies_and_hsts_are_hardened() -> None:
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({n: getattr(s, n) for n in ["
        "'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE',"
        "'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_HTTPONLY', 'CSRF_COOKIE_SAMESITE',"
        "'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT', 'SECURE_CONTENT_TYPE_NOSNIFF',"
        "'SECURE_REFERRER_POLICY', 'SESSION_COOKIE_AGE']}))"
    )
    env = {**os.environ, **PRODUCTION_ENV}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_HTTPONLY"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["SESSION_COOKIE_AGE"] <= 12 * 60 * 60
