"""Names on the day's screens are masked (DOMAIN §2.3), as on every desk list."""

from django import template
from django.utils import timezone

from common.masking import mask_name
from stations.selectors import site_has_stations, ticket_for_participant

register = template.Library()


@register.filter
def masked_name(name: str | None) -> str:
    return mask_name(name)


@register.filter
def has_stations(site_id: int) -> bool:
    """Whether the desk's site runs its day through stations (its nav shows them)."""
    return site_has_stations(site_id=site_id)


@register.filter
def in_line_today(participant_id: int) -> bool:
    """Whether she has a queue number today (her bookings page links to it)."""
    found = ticket_for_participant(
        participant_id=participant_id, day=timezone.localdate()
    )
    return found is not None
