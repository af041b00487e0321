"""What the public is told about the places left in a slot or a day.

An exact count per slot, open to anyone and read again a minute later, shows when
someone booked or cancelled a given time at a given site. The public listing (the
picker and the slot API) says only whether there is room, little room or none;
the desk and the admin, who need the exact numbers, read the slot itself.
"""

from django.db import models
from django.utils.translation import pgettext_lazy

# "Few left" from this many places down to one: enough warning to book soon, too
# coarse to tell one booking from the next.
FEW_PLACES = 3


class PlacesBand(models.TextChoices):
    AVAILABLE = "available", pgettext_lazy("places band", "Places left")
    FEW = "few", pgettext_lazy("places band", "Few left")
    FULL = "full", pgettext_lazy("places band", "Full")


def places_band(left: int) -> PlacesBand:
    """The band of `left` places: none is full, 1 to FEW_PLACES is few."""
    if left <= 0:
        return PlacesBand.FULL
    if left <= FEW_PLACES:
        return PlacesBand.FEW
    return PlacesBand.AVAILABLE
