"""Her consent to the processing of health data, given again after she withdrew
it (PIPL art. 15 lets her withdraw; nothing in the law makes that final)."""

from __future__ import annotations

import logging

from screening import consent
from screening.errors import ConsentNotPossible
from screening.models import Consent, ConsentPurpose, Participant
from screening.services import consent_give

logger = logging.getLogger(__name__)


def participant_consent_again(*, participant: Participant) -> Consent:
    """Record a new consent to the current text; a live one is returned as is.
    Raises ConsentNotPossible once her data is deleted: there is nobody left to
    consent for."""
    if participant.anonymised_at is not None:
        raise ConsentNotPossible
    given = consent_give(
        participant=participant,
        purpose=ConsentPurpose.HEALTH_DATA,
        text_version=consent.HEALTH_DATA_CONSENT_VERSION,
    )
    logger.info("consents.given_again id=%s participant=%s", given.pk, participant.pk)
    return given
