"""The API's error shapes for the OpenAPI schema (SPEC §4).

Errors are `{"code", "detail"}`; field errors keep DRF's `{"field": ["..."]}`
(common.api.exception_handler). An endpoint whose 400 can be either documents
`bad_request()`, so the schema says what the endpoint really answers.
"""

from typing import Any

from drf_spectacular.utils import OpenApiResponse

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "Stable, for programs."},
        "detail": {"type": "string", "description": "For people, translated."},
    },
    "required": ["code", "detail"],
}

FIELD_ERRORS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": 'Field errors: {"field": ["message", ...]}; '
    '"non_field_errors" for the request as a whole.',
    "minProperties": 1,
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


def bad_request(description: str) -> OpenApiResponse:
    """A 400 that is either a coded error or DRF's field errors."""
    return OpenApiResponse(
        {"oneOf": [ERROR_SCHEMA, FIELD_ERRORS_SCHEMA]}, description=description
    )
