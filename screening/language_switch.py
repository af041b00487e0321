"""Switching language in the middle of the profile form keeps what she typed.

On the profile page the language buttons submit the profile form itself (the
`form` attribute), so her name and ID number travel with the switch. They are
kept, unchecked and encrypted like any draft, and shown again in the other
language; a draft kept this way never counts as a finished profile step.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation

from screening.forms import PROFILE_FIELDS
from screening.session import save_profile_draft

SWITCH_FIELD = "switch_language"
UNCHECKED = "unchecked"
# Longer than any field of the profile form; the form says what is too long.
KEEP_AT_MOST = 120


def requested_language(request: HttpRequest) -> str | None:
    """The language asked for by a switch button, if it is one we speak."""
    code = request.POST.get(SWITCH_FIELD, "")
    known = {language for language, _name in settings.LANGUAGES}
    return code if code in known else None


def switch_keeping_profile(
    request: HttpRequest, *, campaign_id: int, profile_url: str, language: str
) -> HttpResponse:
    """Keep her typed answers as an unchecked draft and come back in `language`."""
    typed = {name: request.POST.get(name, "")[:KEEP_AT_MOST] for name in PROFILE_FIELDS}
    save_profile_draft(request, {"campaign_id": campaign_id, UNCHECKED: True, **typed})
    translation.activate(language)
    response = redirect(profile_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def checked_draft(draft: dict | None, campaign_id: int) -> bool:
    """Whether the draft is a finished, checked profile step for this campaign."""
    return (
        bool(draft)
        and draft.get("campaign_id") == campaign_id
        and not draft.get(UNCHECKED)
    )
