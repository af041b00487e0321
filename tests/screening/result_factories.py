"""Factories and helpers for visits, results and staff, shared by the results tests."""

import itertools
from datetime import date

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from screening.models import Consent, ConsentPurpose, Visit
from screening.services import result_record
from tests.screening.factories import CampaignFactory, ParticipantFactory

_references = itertools.count(1)


def next_reference() -> str:
    return f"R{next(_references):07d}"


def staff_user(username: str = "desk", role: str = "clinic"):  # type: ignore[no-untyped-def]
    return get_user_model().objects.create_user(
        username=username, password="x-unused-1234", role=role
    )


class VisitFactory(factory.django.DjangoModelFactory):
    """A checked-in visit of a woman who consented to health-data processing."""

    class Meta:
        model = Visit
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    participant = factory.SubFactory(ParticipantFactory)
    site_id = 1
    site_name = "市妇幼保健院"
    day = factory.LazyFunction(timezone.localdate)
    appointment_id = factory.Sequence(lambda n: 100000 + n)
    reference = factory.LazyFunction(next_reference)

    @factory.post_generation
    def consent(self, create: bool, extracted: object, **kwargs) -> None:
        if create and extracted is not False:
            Consent.objects.get_or_create(
                participant=self.participant,
                purpose=ConsentPurpose.HEALTH_DATA,
                defaults={"text_version": "1"},
            )


def record(visit: Visit, by=None, notes: str = "", **tests: str):  # type: ignore[no-untyped-def]
    """Record `test=value` results on a visit the way the desk does."""
    return result_record(
        visit_id=visit.pk,
        tests=[{"test": test, "value": value} for test, value in tests.items()],
        notes=notes,
        by=by,
    )


def visit_on(day: date, **kwargs) -> Visit:  # type: ignore[no-untyped-def]
    return VisitFactory(day=day, **kwargs)
