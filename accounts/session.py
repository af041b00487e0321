"""Staff page sessions: when they started, when they were last used, and which
session rows belong to which account.

Participants' page sessions (screening.session) carry no Django user and are not
touched here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.models import StaffSession, User

SIGNED_IN_AT_KEY = "staff_signed_in_at"
LAST_SEEN_KEY = "staff_last_seen"
# The session key last written to StaffSession: a changed key (a new sign-in step,
# a password change) is noticed without a query.
INDEXED_KEY = "staff_session_key"
# Writing the session on every click would cost a database write a request; a
# minute's precision is plenty for a 30-minute idle limit.
TOUCH_EVERY_SECONDS = 60

Ended = Literal["idle", "lifetime"]


def _now() -> int:
    return int(timezone.now().timestamp())


def staff_session_started(request: HttpRequest, *, user: User) -> None:
    """Called on every staff sign-in (user_logged_in)."""
    now = _now()
    # A password sign-in is a first step only, even in a session that once had
    # both (a second sign-in on the same browser).
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session[SIGNED_IN_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now
    staff_session_remember(request, user=user)
    # Sessions past the absolute lifetime are dead whatever their row says.
    cutoff = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    StaffSession.objects.filter(user=user, created_at__lt=cutoff).delete()


def staff_session_remember(request: HttpRequest, *, user: User) -> None:
    """Record this session's key against the account, once per key."""
    key = request.session.session_key
    if key is None:
        # Not saved yet (a brand-new session): give it its key now.
        request.session.save()
        key = request.session.session_key
    previous = request.session.get(INDEXED_KEY)
    if previous == key:
        return
    if previous:
        StaffSession.objects.filter(session_key=previous).delete()
    StaffSession.objects.update_or_create(session_key=key, defaults={"user": user})
    request.session[INDEXED_KEY] = key


def staff_session_forget(request: HttpRequest) -> None:
    """Called on sign-out (user_logged_out), before the session is flushed."""
    keys = {request.session.session_key, request.session.get(INDEXED_KEY)}
    StaffSession.objects.filter(session_key__in=[key for key in keys if key]).delete()


def staff_session_ended(request: HttpRequest) -> Ended | None:
    """Why this signed-in staff session may no longer be used, if it may not."""
    now = _now()
    signed_in_at = request.session.get(SIGNED_IN_AT_KEY)
    last_seen = request.session.get(LAST_SEEN_KEY)
    if not isinstance(signed_in_at, int) or not isinstance(last_seen, int):
        # A session from before these keys existed, or made in a test: it starts
        # counting now rather than living on unlimited.
        return None
    if now - signed_in_at >= settings.SESSION_COOKIE_AGE:
        return "lifetime"
    if now - last_seen >= settings.STAFF_SESSION_IDLE_MINUTES * 60:
        return "idle"
    return None


def staff_session_touch(request: HttpRequest, *, user: User) -> None:
    """Note that the session is in use, at most once a minute."""
    now = _now()
    if not isinstance(request.session.get(SIGNED_IN_AT_KEY), int):
        request.session[SIGNED_IN_AT_KEY] = now
    last_seen = request.session.get(LAST_SEEN_KEY)
    if not isinstance(last_seen, int) or now - last_seen >= TOUCH_EVERY_SECONDS:
        request.session[LAST_SEEN_KEY] = now
    staff_session_remember(request, user=user)
