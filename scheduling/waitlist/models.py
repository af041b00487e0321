"""A place on the waitlist and the offers made from it.

An entry waits for a day at a site (or any day there). When a place is given
back, the first entry in line gets an offer: the place stays counted as taken
(`Slot.booked` and `Campaign.places_taken`) by the offer until she claims it,
it expires, or it passes on, so nobody else can book it meanwhile.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from scheduling.models import Site, Slot
from screening.models import Campaign, Participant


class EntryStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered a place")
    BOOKED = "booked", _("Booked")
    LAPSED = "lapsed", _("Offer not taken")
    LEFT = "left", _("Left the waitlist")


# An entry in one of these is still hers: she may not join again meanwhile.
OPEN_STATUSES = (EntryStatus.WAITING, EntryStatus.OFFERED)


class WaitlistEntry(models.Model):
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="+"
    )
    # Her day in the site's zone; empty means any day at the site.
    day = models.DateField(_("day"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EntryStatus.choices,
        default=EntryStatus.WAITING,
    )
    created_at = models.DateTimeField(_("joined at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        ordering = ["created_at", "id"]
        constraints = [
            # Decides `already_waiting` when she joins twice at once.
            models.UniqueConstraint(
                fields=["participant", "campaign"],
                condition=Q(status__in=["waiting", "offered"]),
                name="one_open_waitlist_entry_per_campaign",
            ),
        ]
        indexes = [
            # The first in line for a place: waiting entries by site, oldest first.
            models.Index(
                fields=["campaign", "site", "created_at", "id"],
                condition=Q(status="waiting"),
                name="waitlist_line",
            ),
        ]

    def __str__(self) -> str:
        return f"waitlist:{self.pk}"


class OfferStatus(models.TextChoices):
    HELD = "held", _("Held for her")
    CLAIMED = "claimed", _("Claimed")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class WaitlistOffer(models.Model):
    entry = models.ForeignKey(
        WaitlistEntry,
        verbose_name=_("waitlist entry"),
        on_delete=models.CASCADE,
        related_name="offers",
    )
    slot = models.ForeignKey(
        Slot, verbose_name=_("slot"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=OfferStatus.choices, default="held"
    )
    offered_at = models.DateTimeField(_("offered at"))
    expires_at = models.DateTimeField(_("held until"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    appointment_id = models.PositiveIntegerField(
        _("appointment id"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("waitlist offer")
        verbose_name_plural = _("waitlist offers")
        ordering = ["-offered_at", "-id"]
        constraints = [
            # One held place per entry: two places given back at once cannot
            # both go to her.
            models.UniqueConstraint(
                fields=["entry"],
                condition=Q(status="held"),
                name="one_held_offer_per_entry",
            ),
        ]
        indexes = [
            models.Index(
                fields=["expires_at", "id"],
                condition=Q(status="held"),
                name="waitlist_offers_due",
            ),
        ]

    def __str__(self) -> str:
        return f"offer:{self.pk}"
