from datetime import timedelta

import pytest
from django.utils import timezone

from common.models import AuditEvent
from screening.errors import ResultsExist
from screening.selectors import visit_for_appointment, visits_missing_results
from screening.services import visit_open, visit_undo
from tests.screening.factories import CampaignFactory, ParticipantFactory
from tests.screening.result_factories import VisitFactory, record, staff_user

pytestmark = pytest.mark.django_db


def _open(appointment_id: int | None = 7, **overrides):  # type: ignore[no-untyped-def]
    fields = {
        "campaign": CampaignFactory(),
        "participant": ParticipantFactory(),
        "site_id": 3,
        "site_name": "第一院区",
        "day": timezone.localdate(),
        "appointment_id": appointment_id,
        "reference": "abcd2345",
        "by": None,
    }
    fields.update(overrides)
    return visit_open(**fields)


def test_opening_a_visit_twice_for_one_appointment_returns_the_first():
    first = _open()
    again = visit_open(
        campaign=first.campaign,
        participant=first.participant,
        site_id=3,
        site_name="第一院区",
        day=first.day,
        appointment_id=7,
        reference="ABCD2345",
        by=None,
    )
    assert again.pk == first.pk
    assert first.reference == "ABCD2345"


def test_undoing_a_check_in_marks_the_visit_and_is_audited():
    desk = staff_user()
    visit = _open(by=desk)
    undone = visit_undo(visit=visit, by=desk)
    assert undone.undone_at is not None
    assert AuditEvent.objects.filter(action="visit.undone", object_id=str(visit.pk))


def test_undoing_a_check_in_with_results_is_refused():
    visit = VisitFactory()
    record(visit, hpv="HPV_NEG")
    with pytest.raises(ResultsExist) as error:
        visit_undo(visit=visit, by=None)
    assert error.value.code == "results_exist"
    assert error.value.status == 409


def test_checking_in_again_after_an_undo_reopens_the_same_visit():
    visit = _open()
    visit_undo(visit=visit, by=None)
    again = _open(campaign=visit.campaign, participant=visit.participant)
    assert again.pk == visit.pk
    assert again.undone_at is None


def test_visit_for_appointment_finds_the_visit_or_none():
    visit = VisitFactory(appointment_id=4242)
    assert visit_for_appointment(appointment_id=4242) == visit
    assert visit_for_appointment(appointment_id=4243) is None


def test_missing_results_lists_the_days_visits_without_any_result():
    today = timezone.localdate()
    waiting = VisitFactory(site_id=5, day=today)
    done = VisitFactory(site_id=5, day=today)
    record(done, cytology="NILM")
    undone = VisitFactory(site_id=5, day=today, undone_at=timezone.now())
    VisitFactory(site_id=6, day=today)
    VisitFactory(site_id=5, day=today - timedelta(days=1))
    missing = list(visits_missing_results(site_id=5, day=today))
    assert missing == [waiting]
    assert undone not in missing
