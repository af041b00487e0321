"""The public slot listing's query, bounded: anyone may call it, so nothing in it
may reach the database or the calendar arithmetic out of range.

A date far off (9999-12-31 has no next day to end its range; 0001-01-01 has no
local midnight before it in UTC) or an id past 64 bits used to answer 500. Each
is now a 400 with the code `invalid_query` and the field errors beside it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# Bookable time is never years ahead; a day far back lists nothing anyway.
DAYS_BACK = 366
DAYS_AHEAD = 3 * 366
# The largest value a primary key (bigint) can hold.
MAX_ID = 2**63 - 1
INVALID_QUERY = "invalid_query"


class SlotListFilter(serializers.Serializer):
    site = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    date = serializers.DateField(required=False)
    available = serializers.BooleanField(required=False, default=False)

    class Meta:
        ref_name = "SlotListFilter"

    def validate_date(self, value: date) -> date:
        today = timezone.localdate()
        first, last = (
            today - timedelta(days=DAYS_BACK),
            today + timedelta(days=DAYS_AHEAD),
        )
        if not first <= value <= last:
            raise serializers.ValidationError(
                _("Choose a date between %(first)s and %(last)s.")
                % {"first": first.isoformat(), "last": last.isoformat()}
            )
        return value


def invalid_query_body(errors: dict[str, Any]) -> dict[str, Any]:
    """The refusal: a code, a sentence, and the field errors in DRF's shape."""
    return {
        "code": INVALID_QUERY,
        "detail": str(_("Some query parameters are out of range or malformed.")),
        **errors,
    }
