from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifications.models import Notification, Status
from screening.errors import FollowUpTransitionInvalid, ValidationFailed
from screening.models import FollowUpCase, FollowUpEvent, FollowUpStatus
from screening.selectors import follow_up_worklist, outcome_counts
from screening.services import (
    follow_up_contact_record,
    follow_up_transition,
    summary_compute,
)
from tests.screening.factories import CampaignFactory, ParticipantFactory
from tests.screening.result_factories import VisitFactory, record, staff_user

pytestmark = pytest.mark.django_db

DAY = date(2030, 3, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def case_for(day: date = DAY, **tests: str) -> FollowUpCase:
    visit = VisitFactory(day=day)
    record(visit, **tests)
    summary_compute(visit_id=visit.pk)
    return FollowUpCase.objects.get(visit=visit)


def reminders(case: FollowUpCase):  # type: ignore[no-untyped-def]
    return Notification.objects.filter(
        dedupe_key__startswith=f"followup:{case.pk}:due:"
    ).order_by("send_at")


def test_a_normal_summary_opens_no_case():
    visit = VisitFactory(day=DAY)
    record(visit, hpv="HPV_NEG", cytology="NILM")
    summary_compute(visit_id=visit.pk)
    assert not FollowUpCase.objects.exists()


def test_a_referral_opens_one_case_with_two_reminders_at_ten_in_the_morning():
    case = case_for(hpv="HPV_16_18_POS")
    summary_compute(visit_id=case.visit_id)
    assert FollowUpCase.objects.count() == 1
    assert case.status == FollowUpStatus.OPEN
    assert case.due_on == DAY + timedelta(days=30)
    due = DAY + timedelta(days=30)
    assert [n.send_at for n in reminders(case)] == [
        datetime.combine(due - timedelta(days=7), time(10), tzinfo=SHANGHAI),
        datetime.combine(due, time(10), tzinfo=SHANGHAI),
    ]
    assert [n.dedupe_key for n in reminders(case)] == [
        f"followup:{case.pk}:due:1",
        f"followup:{case.pk}:due:2",
    ]
    assert all(n.kind == "follow_up_due" for n in reminders(case))
    assert "HPV" not in str([n.context for n in reminders(case)])


def test_a_move_the_state_machine_does_not_allow_is_refused_by_name():
    case = case_for(hpv="HPV_16_18_POS")
    with pytest.raises(FollowUpTransitionInvalid) as error:
        follow_up_transition(case=case, to_status=FollowUpStatus.TREATED, by=None)
    assert error.value.code == "transition_invalid"
    case.refresh_from_db()
    assert case.status == FollowUpStatus.OPEN


def test_a_diagnosis_needs_a_known_pathology_code():
    case = case_for(hpv="HPV_16_18_POS")
    for status in ("NOTIFIED", "REFERRED", "DONE_EXAM"):
        follow_up_transition(case=case, to_status=status, by=None)
    with pytest.raises(ValidationFailed):
        follow_up_transition(case=case, to_status="DIAGNOSED", by=None)


def test_the_whole_path_is_logged_and_reminders_stop_once_the_exam_is_done():
    nurse = staff_user("nurse")
    case = case_for(hpv="HPV_16_18_POS")
    for status in ("NOTIFIED", "REFERRED", "DONE_EXAM"):
        case = follow_up_transition(case=case, to_status=status, by=nurse)
    assert {n.status for n in reminders(case)} == {Status.CANCELLED}
    case = follow_up_transition(
        case=case, to_status="DIAGNOSED", by=nurse, diagnosis_code="cin2"
    )
    case = follow_up_transition(case=case, to_status="TREATED", by=nurse)
    case = follow_up_transition(case=case, to_status="CLOSED", by=nurse, note="done")
    assert case.diagnosis_code == "CIN2"
    assert case.closed_at is not None
    moves = list(
        FollowUpEvent.objects.filter(case=case, kind="status").values_list(
            "to_status", flat=True
        )
    )
    assert moves == [
        "NOTIFIED",
        "REFERRED",
        "DONE_EXAM",
        "DIAGNOSED",
        "TREATED",
        "CLOSED",
    ]


def test_closing_a_case_cancels_its_pending_reminders():
    case = case_for(breast_ultrasound="BIRADS_4A")
    follow_up_transition(case=case, to_status="DECLINED", by=None)
    assert {n.status for n in reminders(case)} == {Status.CANCELLED}


def test_she_is_lost_after_three_failed_contacts_by_default():
    case = case_for(hpv="HPV_16_18_POS")
    for _ in range(2):
        case = follow_up_contact_record(case=case, by=None, reached=False)
    assert case.status == FollowUpStatus.OPEN
    case = follow_up_contact_record(case=case, by=None, reached=False)
    assert case.status == FollowUpStatus.LOST
    assert {n.status for n in reminders(case)} == {Status.CANCELLED}
    assert FollowUpEvent.objects.filter(case=case, kind="contact").count() == 3


def test_the_number_of_failed_contacts_comes_from_the_setting(settings):
    settings.FOLLOW_UP_MAX_FAILED_CONTACTS = 1
    case = case_for(hpv="HPV_16_18_POS")
    case = follow_up_contact_record(case=case, by=None, reached=False)
    assert case.status == FollowUpStatus.LOST


def test_reaching_her_marks_her_notified_and_resets_the_failures():
    case = case_for(hpv="HPV_16_18_POS")
    follow_up_contact_record(case=case, by=None, reached=False)
    case = follow_up_contact_record(case=case, by=None, reached=True, note="已电话告知")
    assert case.status == FollowUpStatus.NOTIFIED
    assert case.failed_contacts == 0


def test_the_worklist_puts_urgent_cases_first_then_the_most_overdue():
    later = case_for(hpv="HPV_16_18_POS")
    earlier = case_for(day=DAY - timedelta(days=20), hpv="HPV_16_18_POS")
    urgent = case_for(cytology="HSIL")
    closed = case_for(hpv="HPV_16_18_POS")
    follow_up_transition(case=closed, to_status="DECLINED", by=None)
    assert list(follow_up_worklist(site_ids=None)) == [urgent, earlier, later]
    assert list(follow_up_worklist(site_ids=[99])) == []


def test_outcome_counts_are_per_woman_from_current_results():
    campaign = CampaignFactory()
    woman = ParticipantFactory()
    first = VisitFactory(campaign=campaign, participant=woman, day=DAY)
    record(first, hpv="HPV_OTHER_POS", cytology="ASC_US")
    record(first, cytology="NILM")  # a correction: only the current row counts
    summary_compute(visit_id=first.pk)
    second = VisitFactory(campaign=campaign, day=DAY)
    record(second, hpv="HPV_NEG", breast_ultrasound="BIRADS_3")
    summary_compute(visit_id=second.pk)
    third = VisitFactory(campaign=campaign, day=DAY)
    record(third, hpv="HPV_NEG", cytology="NILM")
    summary_compute(visit_id=third.pk)
    elsewhere = VisitFactory(day=DAY)
    record(elsewhere, hpv="HPV_16_18_POS")

    counts = outcome_counts(campaign_id=campaign.pk, date_from=DAY, date_to=DAY)

    assert counts == {
        "screened": 3,
        "normal": 1,
        "recall": 2,
        "refer": 0,
        "precancer": 0,
        "cancer": 0,
        "deferred": 0,
        "follow_up_open": 2,
        "follow_up_completed": 0,
        "follow_up_lost": 0,
        "hpv_tested": 3,
        "hpv_positive": 1,
        "cytology_tested": 2,
        "cytology_abnormal": 0,
        "breast_imaging_tested": 1,
        "breast_imaging_abnormal": 1,
    }
    assert (
        outcome_counts(
            campaign_id=campaign.pk, date_from=DAY + timedelta(days=1), date_to=None
        )["screened"]
        == 0
    )


def test_outcome_counts_take_two_queries(django_assert_num_queries):
    campaign = CampaignFactory()
    with django_assert_num_queries(2):
        outcome_counts(campaign_id=campaign.pk, date_from=None, date_to=None)
