"""The address a request came from, through the proxies we trust.

Behind a TLS proxy REMOTE_ADDR names the proxy: every woman would share one
sign-in rate limit, every audit event would name the proxy and one guesser
could lock the whole city out. Each trusted proxy appends the address it was
reached from to X-Forwarded-For; with TRUSTED_PROXY_HOPS proxies in front,
the client is the entry that many places from the end. Entries further left
come from the client and are not believed.
"""

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address as the outermost trusted proxy saw it, or
    REMOTE_ADDR when no proxy is trusted (TRUSTED_PROXY_HOPS = 0, the default)
    or the header does not hold that many entries."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    hops = getattr(settings, "TRUSTED_PROXY_HOPS", 0)
    if hops <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry for entry in forwarded.split(",") if entry.strip()]
    if len(entries) < hops:
        # Not through every proxy we were told of: a client that reached an
        # inner one directly, or a misconfiguration. Its own word counts for nothing.
        logger.warning(
            "client_address.short_forwarded_for hops=%s entries=%s", hops, len(entries)
        )
        return remote
    address = _valid(entries[-hops])
    if address is None:
        logger.warning("client_address.invalid_forwarded_for")
        return remote
    return address
