"""Factories for the screening app: districts, an open campaign, participants."""

import secrets
from datetime import date, timedelta

import factory
from django.utils import timezone

from common.crypto import keyed_hash
from screening.authentication import token_hash
from screening.models import (
    Campaign,
    CampaignStatus,
    District,
    EmploymentType,
    Participant,
    ParticipantToken,
    ServiceScope,
    Sex,
)

# GB 11643: the weight of each of the first 17 digits and the check characters.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARACTERS = "10X98765432"
FIRST_BIRTH_DATE = date(1970, 1, 1)
BIRTH_DATE_SPREAD_DAYS = 25 * 365


def id_number_with_check(body: str) -> str:
    """17 digits completed with their GB 11643 check character."""
    total = sum(
        int(digit) * weight for digit, weight in zip(body, ID_WEIGHTS, strict=True)
    )
    return body + ID_CHECK_CHARACTERS[total % 11]


def female_id_number(n: int, *, region: str = "410802") -> str:
    """The n-th of a run of distinct, valid ID numbers of women born 1970-1994.

    The birth date walks through 25 years; the sequence number (whose last digit is
    even, marking a woman) changes each time the dates come round again.
    """
    birth = FIRST_BIRTH_DATE + timedelta(days=n % BIRTH_DATE_SPREAD_DAYS)
    sequence = (n // BIRTH_DATE_SPREAD_DAYS) % 500 * 2
    return id_number_with_check(f"{region}{birth:%Y%m%d}{sequence:03d}")


def newcomer_id_number(n: int) -> str:
    """A valid woman's ID number that ParticipantFactory never hands out (another
    region code), for a woman who must be new to the database whatever number of
    factory participants the run has made before."""
    return female_id_number(n, region="410811")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    # 99xxxx is no real GB/T 2260 code, so it never meets the demo's districts.
    code = factory.Sequence(lambda n: f"99{n:04d}")
    name = factory.Sequence(lambda n: f"测试区{n}")


class CampaignFactory(factory.django.DjangoModelFactory):
    """An open campaign taking registrations now, for women aged 18 to 70."""

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"两癌筛查活动{n}")
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + timedelta(days=30))
    registration_opens_at = factory.LazyFunction(
        lambda: timezone.now() - timedelta(days=1)
    )
    registration_closes_at = factory.LazyFunction(
        lambda: timezone.now() + timedelta(days=30)
    )
    min_age = 18
    max_age = 70
    services = ServiceScope.BOTH
    quota = 100
    status = CampaignStatus.OPEN

    @factory.post_generation
    def districts(self, create: bool, extracted: list[District] | None, **kwargs):
        """`CampaignFactory(districts=[...])` sets the districts it covers."""
        if create and extracted:
            self.districts.add(*extracted)


class ParticipantFactory(factory.django.DjangoModelFactory):
    """A woman with a valid ID number and a mobile number nobody else has."""

    class Meta:
        model = Participant

    phone = factory.Sequence(lambda n: f"13{n:09d}")
    phone_hash = factory.LazyAttribute(lambda o: keyed_hash(o.phone, purpose="phone"))
    full_name = factory.Sequence(lambda n: f"王秀{n}")
    id_number = factory.Sequence(female_id_number)
    id_hash = factory.LazyAttribute(lambda o: keyed_hash(o.id_number, purpose="id"))
    birth_date = factory.LazyAttribute(
        lambda o: date(
            int(o.id_number[6:10]), int(o.id_number[10:12]), int(o.id_number[12:14])
        )
    )
    sex = Sex.FEMALE
    employment_type = EmploymentType.FOOD_DELIVERY
    district = factory.SubFactory(DistrictFactory)


# A valid number of a woman born 1949-12-31 (GB 11643's own example).
VALID_FEMALE_ID = "11010519491231002X"


def bearer_token(*, phone: str, participant: Participant | None = None) -> str:
    """The raw key of a live token for a verified phone (and her record, if given),
    as the SMS-code exchange issues it."""
    key = secrets.token_urlsafe(32)
    ParticipantToken.objects.create(
        key_hash=token_hash(key),
        phone=phone,
        phone_hash=keyed_hash(phone, purpose="phone"),
        participant=participant,
        expires_at=timezone.now() + timedelta(days=7),
    )
    return key
