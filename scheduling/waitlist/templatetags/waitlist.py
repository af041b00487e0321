"""Template helpers of the waitlist pages."""

from collections.abc import Iterable
from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def full_days(days: Iterable[Any]) -> list[Any]:
    """The days of the place picker without a free place: the waitlist's days."""
    return [d for d in days if not d.places_left]
