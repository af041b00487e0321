"""Property-based calls to every documented endpoint, as each kind of user:
no server error, answers as documented, no endpoint that ignores authentication."""

import secrets
from collections.abc import Iterator
from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import ignored_auth, response_schema_conformance

from accounts.authentication import staff_token_hash
from accounts.models import Role, StaffToken
from config.wsgi import application
from tests.accounts.factories import UserFactory
from tests.scheduling.factories import AppointmentFactory, ConsentedParticipantFactory
from tests.screening.factories import bearer_token

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
CHECKS = [not_a_server_error, response_schema_conformance, ignored_auth]
# Their 400 field errors ({"phone": [...]}) are documented as {code, detail}:
# checked for the rest here, and pinned by the xfail test below until fixed.
KNOWN_CONTRACT_GAPS = {"POST /api/v1/auth/otp/", "POST /api/v1/auth/otp/verify/"}


def _staff_key(role: str) -> str:
    key = secrets.token_urlsafe(32)
    StaffToken.objects.create(
        user=UserFactory(role=role),
        key_hash=staff_token_hash(key),
        expires_at=timezone.now() + timedelta(days=1),
    )
    return key


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    # The WSGI handler closes the connection after each request, as a server
    # should; the test's transaction lives on that connection (Django's own
    # test client disconnects the same receivers).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def credentials() -> list[dict[str, str]]:
    participant = ConsentedParticipantFactory()
    AppointmentFactory(participant=participant)
    key = bearer_token(phone=participant.phone, participant=participant)
    return [
        {"Authorization": f"Bearer {key}"},
        {"Authorization": f"Token {_staff_key(Role.CLINIC)}"},
        {"Authorization": f"Token {_staff_key(Role.UNION)}"},
    ]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_keeps_its_contract_for_every_role(case, credentials) -> None:  # type: ignore[no-untyped-def]
    checks = CHECKS
    if case.operation.label in KNOWN_CONTRACT_GAPS:
        checks = [not_a_server_error, ignored_auth]
    for headers in credentials:
        case.call_and_validate(headers=headers, checks=checks)


@pytest.mark.django_db
@pytest.mark.xfail(
    strict=True, reason="OTP endpoints document field errors as {code, detail}"
)
@pytest.mark.parametrize("path", ["/api/v1/auth/otp/", "/api/v1/auth/otp/verify/"])
def test_otp_field_errors_are_answered_as_documented(path: str) -> None:
    response = APIClient().post(path, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"code", "detail"}
    assert isinstance(response.json()["detail"], str)
