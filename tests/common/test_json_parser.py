"""Bodies that would crash the application answer 400 with a code: JSON
nested thousands deep, integers past 64 bits, on endpoints anyone may call."""

import pytest
from rest_framework.test import APIClient

from common.json_parser import json_loads_bounded

pytestmark = pytest.mark.django_db

# Unauthenticated endpoints that take JSON.
OPEN_ENDPOINTS = [
    "/api/v1/auth/otp/",
    "/api/v1/auth/otp/verify/",
    "/api/v1/auth/token/",
]


def _post(path: str, body: str):  # type: ignore[no-untyped-def]
    return APIClient().post(path, body, content_type="application/json")


@pytest.mark.parametrize("path", OPEN_ENDPOINTS)
def test_json_nested_thousands_deep_is_a_coded_400(path: str) -> None:
    response = _post(path, "[" * 100_000 + "]" * 100_000)

    assert response.status_code == 400
    assert response.json()["code"] == "json_too_deep"


@pytest.mark.parametrize("path", OPEN_ENDPOINTS)
def test_json_nested_past_the_limit_but_within_python_is_refused_too(path: str) -> None:
    response = _post(path, '{"phone": ' + "[" * 40 + "]" * 40 + "}")

    assert response.status_code == 400
    assert response.json()["code"] == "json_too_deep"


@pytest.mark.parametrize(
    "number",
    [str(2**63), str(-(2**63) - 1), "1" + "0" * 5000],
    ids=["2^63", "-2^63-1", "5000 digits"],
)
def test_an_integer_past_64_bits_is_a_coded_400(number: str) -> None:
    body = '{"phone": "13912345678", "code": ' + number + "}"

    response = _post("/api/v1/auth/otp/verify/", body)

    assert response.status_code == 400
    assert response.json()["code"] == "integer_out_of_range"


def test_ordinary_json_still_parses() -> None:
    assert json_loads_bounded('{"a": [1, {"b": -9223372036854775808}]}') == {
        "a": [1, {"b": -(2**63)}]
    }
