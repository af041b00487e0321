"""A JSON parser for the API that refuses what would crash the application.

Python's json module recurses once per nesting level: a body nested a few
thousand deep raises RecursionError, a 500, on endpoints anyone may call. An
integer past 64 bits parses fine and then overflows the database column, or
its text runs past Python's own digit limit, both 500s. Bodies this parser
refuses answer 400 with a code, before any view sees them.
"""

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Deeper than any document the API takes (its deepest is three).
MAX_DEPTH = 32
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
# Enough digits for any 64-bit integer and its sign.
MAX_INT_DIGITS = 20


class JsonTooDeep(ParseError):
    default_detail = _("The JSON is nested too deep.")
    default_code = "json_too_deep"


class IntegerOutOfRange(ParseError):
    default_detail = _("A number in the JSON is too large.")
    default_code = "integer_out_of_range"


def _bounded_int(text: str) -> int:
    if len(text) > MAX_INT_DIGITS:
        raise IntegerOutOfRange
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise IntegerOutOfRange
    return value


def _depth_within(document: Any, limit: int) -> bool:
    """Whether no container in `document` is nested deeper than `limit`;
    walked with a list, not by recursion, for the same reason as above."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


def json_loads_bounded(text: str | bytes) -> Any:
    """json.loads, but raising JsonTooDeep or IntegerOutOfRange (400s)."""
    try:
        document = json.loads(text, parse_int=_bounded_int)
    except RecursionError:
        raise JsonTooDeep from None
    if not _depth_within(document, MAX_DEPTH):
        raise JsonTooDeep
    return document


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser with a bound on nesting and on integers."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError:
            raise ParseError(_("The body is not valid text.")) from None
        try:
            return json_loads_bounded(text)
        except ValueError as exc:
            raise ParseError(_("JSON parse error - %s") % exc) from None
