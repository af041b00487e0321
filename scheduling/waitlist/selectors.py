"""Reads of the waitlist, each scoped to its owner."""

from django.db.models import Q, QuerySet

from scheduling.waitlist.errors import EntryNotFound
from scheduling.waitlist.models import (
    EntryStatus,
    OfferStatus,
    WaitlistEntry,
    WaitlistOffer,
)
from screening.models import Participant


def entry_position(*, entry: WaitlistEntry) -> int | None:
    """Her place in line at the site (1 is next), or None when she is no longer
    waiting. Entries for another day are in the same line only when one of the
    two takes any day."""
    if entry.status != EntryStatus.WAITING:
        return None
    ahead = WaitlistEntry.objects.filter(
        campaign_id=entry.campaign_id,
        site_id=entry.site_id,
        status=EntryStatus.WAITING,
    ).filter(
        Q(created_at__lt=entry.created_at)
        | Q(created_at=entry.created_at, id__lt=entry.pk)
    )
    if entry.day is not None:
        ahead = ahead.filter(Q(day__isnull=True) | Q(day=entry.day))
    return ahead.count() + 1


def entries_for_participant(*, participant: Participant) -> QuerySet[WaitlistEntry]:
    return (
        WaitlistEntry.objects.filter(participant=participant)
        .select_related("site", "campaign")
        .order_by("-created_at", "-id")
    )


def entry_get_for_participant(
    *, entry_id: int, participant: Participant
) -> WaitlistEntry:
    """Her entry; someone else's (or none) is EntryNotFound, a 404."""
    entry = entries_for_participant(participant=participant).filter(pk=entry_id).first()
    if entry is None:
        raise EntryNotFound
    return entry


def offer_held(*, entry: WaitlistEntry) -> WaitlistOffer | None:
    return (
        WaitlistOffer.objects.filter(entry=entry, status=OfferStatus.HELD)
        .select_related("slot__site")
        .first()
    )
