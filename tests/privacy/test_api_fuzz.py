"""Property-based calls to every documented endpoint, as each kind of user:
no server error, answers as documented, no endpoint that ignores authentication."""

import secrets
from collections.abc import Iterator
from datetime import timedelta

import jsonschema
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
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
    for headers in credentials:
        case.call_and_validate(headers=headers, checks=CHECKS)


# SPEC §4: errors are {code, detail}, field errors keep DRF's {"field": [...]}.
# A 400 of these endpoints can be either, and the schema says so.
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body", "shape"),
    [
        ("/api/v1/auth/otp/", {}, {"phone"}),
        ("/api/v1/auth/otp/", {"phone": "12"}, {"code", "detail"}),
        ("/api/v1/auth/otp/verify/", {}, {"phone", "code"}),
        (
            "/api/v1/auth/otp/verify/",
            {"phone": "13800001111", "code": "000000"},
            {"code", "detail"},
        ),
        ("/api/v1/auth/token/", {}, {"username", "password"}),
        (
            "/api/v1/auth/token/",
            {"username": "nobody", "password": "not-the-password"},
            {"code", "detail"},
        ),
    ],
)
def test_sign_in_400s_are_coded_errors_or_field_errors_as_documented(
    path: str, body: dict[str, str], shape: set[str]
) -> None:
    response = APIClient().post(path, body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == shape
    documented = SchemaGenerator().get_schema(public=True)["paths"][path]["post"]
    body_schema = documented["responses"]["400"]["content"]["application/json"]
    jsonschema.validate(response.json(), body_schema["schema"])
