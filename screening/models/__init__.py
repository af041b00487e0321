"""Screening's models, one module per sub-domain; every name is re-exported here
so `from screening.models import X` stays the one way to reach them."""

from screening.models.campaigns import (
    Campaign,
    CampaignStatus,
    District,
    ServiceScope,
)
from screening.models.consent import (
    Consent,
    ConsentPurpose,
)
from screening.models.contact import (
    CONTACT_NOTE_MAX_LENGTH,
    ContactAttempt,
    ContactOutcome,
    RevealPurpose,
)
from screening.models.deletion import (
    DeletionRequest,
    DeletionStatus,
)
from screening.models.follow_up import (
    FOLLOW_UP_AWAITING,
    FOLLOW_UP_COMPLETED,
    FOLLOW_UP_ENDED,
    FOLLOW_UP_TRANSITIONS,
    FollowUpCase,
    FollowUpEvent,
    FollowUpEventKind,
    FollowUpStatus,
)
from screening.models.participants import (
    EmploymentType,
    Participant,
    Sex,
)
from screening.models.results import (
    Conclusion,
    ImportStatus,
    Result,
    ResultCode,
    ResultImport,
    ResultSource,
    ResultSummary,
    ResultTest,
    SummaryRule,
    Visit,
)
from screening.models.sign_in import (
    OtpChallenge,
    OtpRateScope,
    ParticipantToken,
)

__all__ = [
    "CONTACT_NOTE_MAX_LENGTH",
    "FOLLOW_UP_AWAITING",
    "FOLLOW_UP_COMPLETED",
    "FOLLOW_UP_ENDED",
    "FOLLOW_UP_TRANSITIONS",
    "Campaign",
    "CampaignStatus",
    "Conclusion",
    "Consent",
    "ConsentPurpose",
    "ContactAttempt",
    "ContactOutcome",
    "DeletionRequest",
    "DeletionStatus",
    "District",
    "EmploymentType",
    "FollowUpCase",
    "FollowUpEvent",
    "FollowUpEventKind",
    "FollowUpStatus",
    "ImportStatus",
    "OtpChallenge",
    "OtpRateScope",
    "Participant",
    "ParticipantToken",
    "Result",
    "ResultCode",
    "ResultImport",
    "ResultSource",
    "ResultSummary",
    "ResultTest",
    "RevealPurpose",
    "ServiceScope",
    "Sex",
    "SummaryRule",
    "Visit",
]
