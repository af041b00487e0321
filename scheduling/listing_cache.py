"""Short-lived copies of the public listings (docs/adr/0006).

A listing of places may be a few seconds old: what it says is advice, and the
booking itself is decided by the conditional update on the slot row, never by a
cached count. Each copy is tagged with the version of the (campaign, site) it
shows; anything that gives a place back or adds slots calls
`slot_listing_changed_on_commit`, which gives that pair a new version after the
commit, so the next read misses at once. Taking a place does not: the listing
may offer it a few seconds more, and the slot row refuses the booking. The time
limit only bounds what a writer that forgot to call it (an edit in the admin) can
leave behind.
"""

import uuid
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

SLOT_LISTING_SECONDS = 5
# The landing page's campaign cards (scheduling/landing.html): a places count
# that lags by seconds is harmless there.
CAMPAIGN_CARDS_SECONDS = 5
ALL_SITES = "all"


def _version_key(campaign_id: int, site: int | str) -> str:
    return f"scheduling:slots:version:{campaign_id}:{site}"


def slot_listing_cached(
    *, campaign_id: int, site_id: int | None, variant: str, read: Callable[[], T]
) -> T:
    """`read()`, or its copy of the last few seconds while nothing changed.

    `variant` tells apart the listings of the same (campaign, site), such as the
    day and whether full slots are left out.
    """
    site: int | str = ALL_SITES if site_id is None else site_id
    version_key = _version_key(campaign_id, site)
    key = f"scheduling:slots:{campaign_id}:{site}:{variant}"
    found = cache.get_many([version_key, key])
    version = found.get(version_key)
    copy = found.get(key)
    if version is not None and copy is not None and copy[0] == version:
        return copy[1]
    value = read()
    if version is None:
        version = uuid.uuid4().hex
        # A writer may have set a version while we read: then what we read may
        # already be old, so it is not kept.
        if not cache.add(version_key, version, timeout=None):
            return value
    # Kept under the version seen before reading: a change committed meanwhile has
    # given the pair a new version, so this copy will never be served.
    cache.set(key, (version, value), SLOT_LISTING_SECONDS)
    return value


def slot_listing_changed(*, campaign_id: int, site_id: int) -> None:
    """Stop serving the cached listings that show this site's slots in the
    campaign. Writers call `slot_listing_changed_on_commit` instead: called inside
    the transaction, a reader could cache the old rows again before the commit."""
    cache.set_many(
        {
            _version_key(campaign_id, site_id): uuid.uuid4().hex,
            _version_key(campaign_id, ALL_SITES): uuid.uuid4().hex,
        },
        timeout=None,
    )


def slot_listing_changed_on_commit(*, campaign_id: int, site_id: int) -> None:
    """`slot_listing_changed` once the current transaction commits (at once
    outside one); nothing if it rolls back. For anything that gives back a place,
    or adds, moves or removes a slot."""
    transaction.on_commit(
        partial(slot_listing_changed, campaign_id=campaign_id, site_id=site_id)
    )
