"""Helpers shared by the privacy proofs."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from common.crypto import keyed_hash
from screening.authentication import token_hash
from screening.models import (
    Conclusion,
    FollowUpCase,
    Participant,
    ParticipantToken,
    Result,
    ResultSource,
    ResultSummary,
    Visit,
)
from screening.session import SIGNED_IN_KEY


def sign_in_page(client: Client, participant: Participant) -> ParticipantToken:
    """Sign her page session in, as the SMS-code step does."""
    token = ParticipantToken.objects.create(
        key_hash=token_hash(f"key-{participant.pk}-{timezone.now().timestamp()}"),
        phone=participant.phone,
        phone_hash=keyed_hash(participant.phone, purpose="phone"),
        participant=participant,
        expires_at=timezone.now() + timedelta(days=30),
    )
    session = client.session
    session[SIGNED_IN_KEY] = token.pk
    session.save()
    return token


def visit_with_result(
    participant: Participant, campaign, *, follow_up_status: str | None = None
) -> Visit:
    """A visit with a current HPV result; with a status, also its summary and a
    follow-up case in that status."""
    visit = Visit.objects.create(
        campaign=campaign,
        participant=participant,
        site_id=1,
        site_name="市妇幼保健院",
        day=campaign.starts_on,
    )
    Result.objects.create(
        visit=visit,
        test="hpv",
        value="HPV_16_18_POS",
        notes="她说最近有不适",
        source=ResultSource.DESK,
    )
    if follow_up_status is not None:
        ResultSummary.objects.create(
            visit=visit,
            conclusion=Conclusion.REFER,
            severity=3,
            action_zh="请尽快复查",
            action_en="Please have a further examination soon",
            text_zh="说明",
            text_en="Explanation",
            fingerprint="f" * 64,
        )
        FollowUpCase.objects.create(
            visit=visit,
            participant=participant,
            site_id=1,
            status=follow_up_status,
            conclusion=Conclusion.REFER,
        )
    return visit
