"""The call list: ranked by severity, days overdue and failed calls; a woman
who moved away is lost with that reason and not invited again."""

from datetime import date, timedelta

import pytest

from common.models import AuditEvent
from screening.models import ContactAttempt, FollowUpCase, FollowUpStatus
from screening.recall.eligibility import recall_state
from screening.recall.models import Cease
from screening.results.contact import follow_up_call_record
from screening.results.summaries import summary_compute
from screening.selectors import follow_up_worklist
from tests.screening.result_factories import VisitFactory, record, staff_user

pytestmark = pytest.mark.django_db

DAY = date(2030, 3, 1)


def case_for(day: date = DAY, **tests: str) -> FollowUpCase:
    visit = VisitFactory(day=day)
    record(visit, **tests)
    summary_compute(visit_id=visit.pk)
    return FollowUpCase.objects.get(visit=visit)


def test_the_call_list_ranks_severity_then_days_overdue_then_failed_calls():
    nurse = staff_user()
    cancer = case_for(cytology="SCC")
    overdue = case_for(day=DAY - timedelta(days=20), hpv="HPV_16_18_POS")
    tried = case_for(hpv="HPV_16_18_POS")
    fresh = case_for(hpv="HPV_16_18_POS")
    follow_up_call_record(case=tried, by=nurse, outcome="no_answer")

    ranked = list(follow_up_worklist(site_ids=None))

    assert ranked == [cancer, overdue, tried, fresh]


def test_three_failed_calls_make_her_lost(settings):
    settings.FOLLOW_UP_MAX_FAILED_CONTACTS = 3
    nurse = staff_user()
    case = case_for(hpv="HPV_16_18_POS")
    for outcome in ("no_answer", "wrong_number", "switched_off"):
        follow_up_call_record(case=case, by=nurse, outcome=outcome)
    case.refresh_from_db()
    assert case.status == FollowUpStatus.LOST
    assert list(follow_up_worklist(site_ids=None)) == []


def test_she_moved_away_is_lost_with_that_reason_and_ceased():
    nurse = staff_user()
    case = case_for(hpv="HPV_16_18_POS")

    follow_up_call_record(case=case, by=nurse, outcome="moved_away")

    case.refresh_from_db()
    assert case.status == FollowUpStatus.LOST
    assert Cease.objects.get(participant=case.participant).reason == "moved_away"
    assert recall_state(participant_id=case.participant_id, today=DAY)[1] is True
    assert ContactAttempt.objects.get(case=case).outcome == "moved_away"
    audited = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"follow_up.contact", "recall.cease.record"} <= audited
