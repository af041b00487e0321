"""Registering the woman behind a verified phone, changing her profile, consent."""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.db import connection
from django.utils import timezone, translation

from common.crypto import keyed_hash
from screening.authentication import PhoneIdentity
from screening.consent import HEALTH_DATA_CONSENT_VERSION
from screening.errors import AlreadyRegistered, IdTaken, ValidationFailed
from screening.idcard import InvalidIdNumber
from screening.models import (
    Campaign,
    Consent,
    ConsentPurpose,
    EmploymentType,
    Participant,
    ParticipantToken,
    Sex,
)
from screening.selectors import participant_eligibility, participant_has_consent
from screening.services import (
    consent_give,
    consent_withdraw,
    participant_register,
    participant_update,
)
from tests.screening.factories import (
    VALID_FEMALE_ID,
    CampaignFactory,
    DistrictFactory,
    ParticipantFactory,
    bearer_token,
    id_number_with_check,
)

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
OTHER_PHONE = "13987654321"
CONTACT = "0371-66668888"
MALE_ID = id_number_with_check("11010519491231001")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def district():  # type: ignore[no-untyped-def]
    return DistrictFactory(code="410105", name="金水区")


@pytest.fixture
def campaign(district):  # type: ignore[no-untyped-def]
    return CampaignFactory(
        min_age=18,
        max_age=80,
        age_reference_date=date(2025, 6, 1),
        contact_phone=CONTACT,
        districts=[district],
    )


def identity_for(phone: str) -> PhoneIdentity:
    """What the bearer token of a freshly verified phone authenticates as."""
    bearer_token(phone=phone)
    phone_hash = keyed_hash(phone, purpose="phone")
    token = ParticipantToken.objects.filter(phone_hash=phone_hash).latest("id")
    return PhoneIdentity(
        phone=phone,
        phone_hash=phone_hash,
        participant=None,
        token_id=token.pk,
    )


def register(campaign, phone: str = PHONE, **overrides) -> Participant:  # type: ignore[no-untyped-def]
    fields = {
        "identity": identity_for(phone),
        "full_name": "王秀英",
        "id_number": VALID_FEMALE_ID,
        "employment_type": EmploymentType.FOOD_DELIVERY,
        "employment_other": "",
        "employer": "美团",
        "district_code": "410105",
        "campaign": campaign,
        "consent_health_data": True,
        "consent_version": HEALTH_DATA_CONSENT_VERSION,
        "sms_reminders": True,
    }
    return participant_register(**(fields | overrides))


def field_errors(campaign, **overrides) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as failed:
        register(campaign, **overrides)
    return failed.value.errors


def test_a_valid_registration_derives_birth_date_and_sex_from_the_id(campaign):
    woman = register(campaign)

    woman.refresh_from_db()
    assert woman.birth_date == date(1949, 12, 31)
    assert woman.sex == Sex.FEMALE
    assert woman.full_name == "王秀英"
    assert woman.district.code == "410105"
    assert woman.masked_id_number == "110105********002X"


def test_phone_and_id_are_found_by_keyed_hash_and_stored_encrypted(campaign):
    woman = register(campaign)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, id_number FROM screening_participant WHERE id = %s",
            [woman.pk],
        )
        stored_phone, stored_id = cursor.fetchone()
    assert woman.phone_hash == keyed_hash(PHONE, purpose="phone")
    assert woman.id_hash == keyed_hash(VALID_FEMALE_ID, purpose="id")
    assert PHONE not in stored_phone
    assert VALID_FEMALE_ID not in stored_id


def test_her_consent_is_recorded_with_the_text_version(campaign):
    woman = register(campaign)

    consent = Consent.objects.get(participant=woman)
    assert consent.purpose == ConsentPurpose.HEALTH_DATA
    assert consent.text_version == HEALTH_DATA_CONSENT_VERSION
    assert consent.withdrawn_at is None


def test_every_token_of_her_phone_now_carries_her(campaign):
    bearer_token(phone=PHONE)

    woman = register(campaign)

    assert set(ParticipantToken.objects.values_list("participant", flat=True)) == {
        woman.pk
    }


def test_a_lower_case_x_is_stored_as_upper_case(campaign):
    woman = register(campaign, id_number=" 11010519491231002x ")

    woman.refresh_from_db()
    assert woman.id_number == VALID_FEMALE_ID


def test_other_work_keeps_her_description(campaign):
    woman = register(
        campaign, employment_type=EmploymentType.OTHER, employment_other="保洁"
    )

    assert woman.employment_other == "保洁"


@pytest.mark.parametrize(
    ("id_number", "code"),
    [
        pytest.param("11010519491231002", "id_format", id="17-characters"),
        pytest.param("110105491231002", "id_15_digits", id="old-15-digits"),
        pytest.param("110105194912310021", "id_checksum", id="wrong-check"),
        pytest.param(id_number_with_check("11010519490231002"), "id_date", id="31-feb"),
        pytest.param(id_number_with_check("11010521001231002"), "id_future", id="2100"),
    ],
)
def test_an_invalid_id_number_gets_the_idcard_message(campaign, id_number, code):
    errors = field_errors(campaign, id_number=id_number)

    assert errors == {"id_number": [str(InvalidIdNumber(code).message)]}


def test_a_mans_id_number_is_a_field_error_that_asks_her_to_check_it(campaign):
    errors = field_errors(campaign, id_number=MALE_ID)

    assert list(errors) == ["id_number"]
    assert "for women" in errors["id_number"][0]
    assert "check" in errors["id_number"][0]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("11010520150101002", id="aged-10"),
        pytest.param("11010519400101002", id="aged-85"),
    ],
)
def test_an_age_outside_the_campaign_range_is_a_field_error(campaign, body):
    errors = field_errors(campaign, id_number=id_number_with_check(body))

    assert list(errors) == ["id_number"]
    assert "18 to 80" in errors["id_number"][0]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"full_name": "   "}, "full_name", id="blank-name"),
        pytest.param({"full_name": "王" * 51}, "full_name", id="long-name"),
        pytest.param({"employment_type": "pilot"}, "employment_type", id="work"),
        pytest.param(
            {"employment_type": EmploymentType.OTHER},
            "employment_other",
            id="other-undescribed",
        ),
        pytest.param(
            {"employment_type": EmploymentType.OTHER, "employment_other": "x" * 101},
            "employment_other",
            id="other-too-long",
        ),
        pytest.param({"employer": "x" * 101}, "employer", id="long-employer"),
        pytest.param({"district_code": "999999"}, "district", id="foreign-district"),
        pytest.param({"consent_health_data": False}, "consent", id="no-consent"),
        pytest.param({"consent_version": "2023-01"}, "consent", id="old-text"),
    ],
)
def test_each_wrong_field_is_named_with_a_message(campaign, overrides, field):
    errors = field_errors(campaign, **overrides)

    assert list(errors) == [field]
    assert errors[field][0]


def test_a_district_outside_the_campaign_is_refused_even_if_it_exists(campaign):
    DistrictFactory(code="110105")

    assert list(field_errors(campaign, district_code="110105")) == ["district"]


def test_every_field_error_is_reported_at_once(campaign):
    errors = field_errors(
        campaign, full_name="", id_number="123", consent_health_data=False
    )

    assert sorted(errors) == ["consent", "full_name", "id_number"]


def test_nothing_is_stored_when_a_field_is_wrong(campaign):
    field_errors(campaign, consent_health_data=False)

    assert Participant.objects.count() == 0
    assert Consent.objects.count() == 0


def test_an_id_number_held_by_another_phone_is_taken_and_she_is_told_whom_to_call(
    campaign,
):
    ParticipantFactory(phone=OTHER_PHONE, id_number=VALID_FEMALE_ID)

    with pytest.raises(IdTaken) as taken:
        register(campaign, id_number="11010519491231002x")

    assert taken.value.status == 409
    assert taken.value.code == "id_taken"
    assert CONTACT in str(taken.value.detail)
    assert Participant.objects.count() == 1


def test_a_phone_cannot_register_twice(campaign):
    register(campaign)

    with pytest.raises(AlreadyRegistered):
        register(campaign, id_number=id_number_with_check("11010519800101002"))

    assert Participant.objects.count() == 1


def test_an_identity_that_already_carries_her_is_already_registered(campaign):
    identity = identity_for(PHONE)
    register(campaign, identity=identity)

    with pytest.raises(AlreadyRegistered):
        register(campaign, identity=identity)


def _register_in_a_thread(
    barrier: threading.Barrier, campaign_id: int, phone: str
) -> str:
    try:
        campaign = Campaign.objects.get(pk=campaign_id)
        identity = identity_for(phone)
        barrier.wait()
        register(campaign, phone=phone, identity=identity)
    except IdTaken:
        return "id_taken"
    finally:
        connection.close()
    return "registered"


@pytest.mark.django_db(transaction=True)
def test_two_phones_racing_with_one_id_number_register_exactly_one(campaign):
    barrier = threading.Barrier(2)

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(
            pool.map(
                _register_in_a_thread,
                [barrier] * 2,
                [campaign.pk] * 2,
                [PHONE, OTHER_PHONE],
            )
        )

    assert sorted(outcomes) == ["id_taken", "registered"]
    assert Participant.objects.count() == 1


def test_she_can_change_her_profile_but_not_her_id_number(campaign):
    woman = register(campaign)
    other_district = DistrictFactory(code="410102", name="中原区")
    campaign.districts.add(other_district)

    participant_update(
        participant=woman,
        full_name=" 王秀兰 ",
        employment_type=EmploymentType.COURIER,
        employer="顺丰",
        district_code="410102",
        sms_reminders=False,
    )

    woman.refresh_from_db()
    assert woman.full_name == "王秀兰"
    assert woman.employment_type == EmploymentType.COURIER
    assert woman.employer == "顺丰"
    assert woman.district == other_district
    assert woman.sms_reminders is False
    assert woman.id_number == VALID_FEMALE_ID


def test_leaving_other_work_forgets_its_description(campaign):
    woman = register(
        campaign, employment_type=EmploymentType.OTHER, employment_other="保洁"
    )

    participant_update(participant=woman, employment_type=EmploymentType.COURIER)

    woman.refresh_from_db()
    assert woman.employment_other == ""


def test_a_wrong_change_is_refused_whole(campaign):
    woman = register(campaign)

    with pytest.raises(ValidationFailed) as failed:
        participant_update(participant=woman, full_name="", district_code="000000")

    woman.refresh_from_db()
    assert sorted(failed.value.errors) == ["district", "full_name"]
    assert woman.full_name == "王秀英"


def test_switching_to_other_work_needs_a_description(campaign):
    woman = register(campaign)

    with pytest.raises(ValidationFailed) as failed:
        participant_update(participant=woman, employment_type=EmploymentType.OTHER)

    assert list(failed.value.errors) == ["employment_other"]


def test_withdrawing_consent_records_the_time_and_ends_it(campaign):
    woman = register(campaign)

    consent = consent_withdraw(participant=woman, purpose=ConsentPurpose.HEALTH_DATA)

    assert consent is not None
    assert consent.withdrawn_at is not None
    assert participant_has_consent(participant=woman) is False


def test_withdrawing_twice_changes_nothing_the_second_time(campaign):
    woman = register(campaign)
    consent_withdraw(participant=woman, purpose=ConsentPurpose.HEALTH_DATA)

    again = consent_withdraw(participant=woman, purpose=ConsentPurpose.HEALTH_DATA)

    assert again is None
    assert Consent.objects.filter(withdrawn_at__isnull=False).count() == 1


def test_consent_can_be_given_again_after_withdrawal(campaign):
    woman = register(campaign)
    consent_withdraw(participant=woman, purpose=ConsentPurpose.HEALTH_DATA)

    consent_give(
        participant=woman,
        purpose=ConsentPurpose.HEALTH_DATA,
        text_version=HEALTH_DATA_CONSENT_VERSION,
    )

    assert participant_has_consent(participant=woman) is True
    assert Consent.objects.filter(participant=woman).count() == 2


def test_giving_a_live_consent_again_returns_the_one_she_gave(campaign):
    woman = register(campaign)
    live = Consent.objects.get(participant=woman)

    again = consent_give(
        participant=woman,
        purpose=ConsentPurpose.HEALTH_DATA,
        text_version=HEALTH_DATA_CONSENT_VERSION,
    )

    assert again == live


def test_her_eligibility_reads_sex_age_and_consent_from_her_record(campaign):
    woman = register(campaign)

    assert (
        participant_eligibility(
            participant=woman,
            campaign=campaign,
            now=timezone.now(),
            quota_used=0,
            has_active_appointment=False,
        )
        == []
    )


def test_withdrawn_consent_makes_her_ineligible_for_no_consent(campaign):
    woman = register(campaign)
    consent_withdraw(participant=woman, purpose=ConsentPurpose.HEALTH_DATA)

    reasons = participant_eligibility(
        participant=woman,
        campaign=campaign,
        now=timezone.now(),
        quota_used=0,
        has_active_appointment=False,
    )

    assert [reason.code for reason in reasons] == ["no_consent"]
