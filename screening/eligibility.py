"""Who may book in a campaign: one pure function, so the rules read in one place.

It touches no database and no clock: callers pass what they counted and the time,
and get back every reason that stands in the way (an empty list means she may
book). Messages are in the active language and say whom to call where that helps.
"""

from datetime import date, datetime

from django.utils.formats import date_format
from django.utils.translation import gettext

from screening.idcard import age_on
from screening.models import Campaign, CampaignStatus, Sex
from screening.reasons import Reason, contact_sentence

__all__ = ["Reason", "contact_sentence", "eligibility_reasons"]


def _with_contact(message: str, campaign: Campaign) -> str:
    return message + " " + contact_sentence(campaign.contact_phone)


def _age_range(campaign: Campaign) -> dict[str, object]:
    return {
        "min": campaign.min_age,
        "max": campaign.max_age,
        "date": date_format(campaign.age_on),
    }


def _person_reasons(campaign: Campaign, sex: str, birth_date: date) -> list[Reason]:
    """What about her keeps her out of this campaign: sex and age."""
    reasons: list[Reason] = []
    if sex != Sex.FEMALE:
        reasons.append(
            Reason(
                "not_female",
                _with_contact(
                    gettext(
                        "This screening is for women, and the ID number on your "
                        "profile is a man's. If it was typed wrongly, we can "
                        "correct it."
                    ),
                    campaign,
                ),
            )
        )

    # A birth date after the reference day is no age at all: too young.
    age = age_on(birth_date, campaign.age_on) if birth_date <= campaign.age_on else -1
    if age < campaign.min_age:
        reasons.append(
            Reason(
                "too_young",
                gettext(
                    "This campaign is for women aged %(min)s to %(max)s on "
                    "%(date)s. You are not %(min)s yet on that day."
                )
                % _age_range(campaign),
            )
        )
    if age > campaign.max_age:
        reasons.append(
            Reason(
                "too_old",
                _with_contact(
                    gettext(
                        "This campaign is for women aged %(min)s to %(max)s on "
                        "%(date)s. You are over %(max)s on that day."
                    )
                    % _age_range(campaign),
                    campaign,
                ),
            )
        )
    return reasons


def _campaign_reasons(
    campaign: Campaign, now: datetime, quota_used: int
) -> list[Reason]:
    """What about the campaign keeps everyone out now: closed, or full."""
    reasons: list[Reason] = []
    window_open = (
        campaign.registration_opens_at <= now < campaign.registration_closes_at
    )
    if campaign.status != CampaignStatus.OPEN or not window_open:
        reasons.append(
            Reason(
                "registration_closed",
                _with_contact(
                    gettext("This campaign is not taking bookings now."), campaign
                ),
            )
        )

    if quota_used >= campaign.quota:
        reasons.append(
            Reason(
                "quota_full",
                _with_contact(
                    gettext("All the funded places in this campaign are taken."),
                    campaign,
                ),
            )
        )
    return reasons


def _booking_reasons(has_active_appointment: bool, consent_given: bool) -> list[Reason]:
    """What she still has to do, or undo, before booking."""
    reasons: list[Reason] = []
    if has_active_appointment:
        reasons.append(
            Reason(
                "already_booked",
                gettext(
                    "You already have a booking in this campaign. Change or cancel "
                    "it instead of booking again."
                ),
            )
        )

    if not consent_given:
        reasons.append(
            Reason(
                "no_consent",
                gettext(
                    "Please agree to the processing of your health data before booking."
                ),
            )
        )
    return reasons


def eligibility_reasons(
    *,
    campaign: Campaign,
    sex: str,
    birth_date: date,
    now: datetime,
    quota_used: int,
    has_active_appointment: bool,
    consent_given: bool,
) -> list[Reason]:
    """Every reason she cannot book in `campaign` now, in a fixed order."""
    return [
        *_person_reasons(campaign, sex, birth_date),
        *_campaign_reasons(campaign, now, quota_used),
        *_booking_reasons(has_active_appointment, consent_given),
    ]
