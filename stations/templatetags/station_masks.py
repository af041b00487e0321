"""Names on the day's screens are masked (DOMAIN §2.3), as on every desk list."""

from django import template

from common.masking import mask_name

register = template.Library()


@register.filter
def masked_name(name: str | None) -> str:
    return mask_name(name)
