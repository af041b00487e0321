"""Names on the day's screens are masked (DOMAIN §2.3), as on every desk list."""

from django import template

from common.masking import mask_name
from stations.selectors import site_has_stations

register = template.Library()


@register.filter
def masked_name(name: str | None) -> str:
    return mask_name(name)


@register.filter
def has_stations(site_id: int) -> bool:
    """Whether the desk's site runs its day through stations (its nav shows them)."""
    return site_has_stations(site_id=site_id)
