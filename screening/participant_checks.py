"""The checks of what a woman types about herself, at registration and when she
changes her profile: every error found is collected, per field, so the page
shows them all at once."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from screening.consent import HEALTH_DATA_CONSENT_VERSION
from screening.errors import ValidationFailed
from screening.idcard import IdNumber, InvalidIdNumber, age_on, parse_id_number
from screening.models import (
    Campaign,
    CampaignStatus,
    District,
    EmploymentType,
    Participant,
    Sex,
)
from screening.text_checks import HIDDEN_CHARACTERS_MESSAGE, has_hidden_characters

NAME_MAX_LENGTH = Participant._meta.get_field("full_name").max_length or 50
EMPLOYMENT_OTHER_MAX_LENGTH = (
    Participant._meta.get_field("employment_other").max_length or 100
)
EMPLOYER_MAX_LENGTH = Participant._meta.get_field("employer").max_length or 100

Errors = dict[str, list[str]]


def add_error(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def check_full_name(errors: Errors, full_name: str) -> None:
    if not full_name:
        add_error(
            errors, "full_name", gettext("Enter your name as it is on your ID card.")
        )
    elif has_hidden_characters(full_name):
        add_error(errors, "full_name", str(HIDDEN_CHARACTERS_MESSAGE))
    elif len(full_name) > NAME_MAX_LENGTH:
        add_error(
            errors,
            "full_name",
            gettext("A name can have at most %(max)s characters.")
            % {"max": NAME_MAX_LENGTH},
        )


def _check_length(errors: Errors, field: str, value: str, max_length: int) -> None:
    if has_hidden_characters(value):
        add_error(errors, field, str(HIDDEN_CHARACTERS_MESSAGE))
    elif len(value) > max_length:
        add_error(
            errors,
            field,
            gettext("Keep this to %(max)s characters or fewer.") % {"max": max_length},
        )


def check_employment(
    errors: Errors, *, employment_type: str, employment_other: str, employer: str
) -> None:
    if employment_type not in EmploymentType.values:
        add_error(
            errors, "employment_type", gettext("Choose one of the kinds of work.")
        )
    if employment_type == EmploymentType.OTHER and not employment_other:
        add_error(errors, "employment_other", gettext("Tell us what work you do."))
    _check_length(
        errors, "employment_other", employment_other, EMPLOYMENT_OTHER_MAX_LENGTH
    )
    _check_length(errors, "employer", employer, EMPLOYER_MAX_LENGTH)


def check_id_number(
    errors: Errors, *, id_number: str, campaign: Campaign
) -> IdNumber | None:
    try:
        parsed = parse_id_number(id_number, today=timezone.localdate())
    except InvalidIdNumber as exc:
        add_error(errors, "id_number", str(exc.message))
        return None
    if parsed.sex != Sex.FEMALE:
        # DOMAIN §2.1: most likely a typing mistake, so say so rather than refuse.
        add_error(
            errors,
            "id_number",
            gettext(
                "This screening programme is for women, and this ID number is a "
                "man's. Please check it for typing mistakes."
            ),
        )
    reference_day = campaign.age_on
    age = (
        age_on(parsed.birth_date, reference_day)
        if parsed.birth_date <= reference_day
        else -1
    )
    if not campaign.min_age <= age <= campaign.max_age:
        add_error(
            errors,
            "id_number",
            gettext(
                "This campaign is for women aged %(min)s to %(max)s on %(date)s, "
                "and by this ID number you are not. Please check the number."
            )
            % {
                "min": campaign.min_age,
                "max": campaign.max_age,
                "date": date_format(reference_day),
            },
        )
    return parsed


def district_for_campaign(
    errors: Errors, *, campaign: Campaign, district_code: str
) -> District | None:
    district = campaign.districts.filter(code=district_code.strip()).first()
    if district is None:
        add_error(
            errors, "district", gettext("Choose one of the districts of this campaign.")
        )
    return district


def district_of_her_campaigns(
    participant: Participant, district_code: str
) -> District | None:
    """The district, if a campaign she could be screened in covers it: one that
    covers her present district and is not over. Moving anywhere else would put
    her outside every campaign that funds her place."""
    return (
        District.objects.filter(
            code=district_code.strip(),
            campaigns__districts=participant.district_id,
        )
        .exclude(campaigns__status__in=[CampaignStatus.CLOSED, CampaignStatus.ARCHIVED])
        .distinct()
        .first()
    )


def registration_checked(
    *,
    campaign: Campaign,
    full_name: str,
    id_number: str,
    employment_type: str,
    employment_other: str,
    employer: str,
    district_code: str,
    consent_health_data: bool,
    consent_version: str,
) -> tuple[IdNumber, District]:
    """Her ID number parsed and her district; ValidationFailed with every field
    error at once."""
    errors: Errors = {}
    check_full_name(errors, full_name)
    parsed = check_id_number(errors, id_number=id_number, campaign=campaign)
    check_employment(
        errors,
        employment_type=employment_type,
        employment_other=employment_other,
        employer=employer,
    )
    district = district_for_campaign(
        errors, campaign=campaign, district_code=district_code
    )
    if not consent_health_data:
        add_error(
            errors,
            "consent",
            gettext("Agree to the processing of your health data to register."),
        )
    elif consent_version != HEALTH_DATA_CONSENT_VERSION:
        add_error(
            errors,
            "consent",
            gettext("The consent text has changed. Please read it again."),
        )
    if errors or parsed is None or district is None:
        raise ValidationFailed(errors=errors)
    return parsed, district
