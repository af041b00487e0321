from datetime import date, timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification
from screening.models import Consent, ResultSummary, SummaryRule
from screening.services import summary_compute
from tests.screening.result_factories import VisitFactory, record

pytestmark = pytest.mark.django_db

DAY = date(2030, 3, 1)


def summarise(**tests: str) -> ResultSummary:
    visit = VisitFactory(day=DAY)
    record(visit, **tests)
    summary = summary_compute(visit_id=visit.pk)
    assert summary is not None
    return summary


def test_hpv_negative_and_nilm_is_normal_with_no_follow_up():
    summary = summarise(hpv="HPV_NEG", cytology="NILM")
    assert summary.conclusion == "NORMAL"
    assert summary.follow_up_due_on is None
    assert "未发现异常" in summary.text_zh


def test_other_high_risk_hpv_with_nilm_is_a_recall_in_about_twelve_months():
    summary = summarise(hpv="HPV_OTHER_POS", cytology="NILM")
    assert summary.conclusion == "RECALL"
    assert summary.follow_up_due_on == DAY + timedelta(days=365)
    assert "not cancer" in summary.text_en


def test_other_high_risk_hpv_with_asc_us_is_referred_to_colposcopy():
    summary = summarise(hpv="HPV_OTHER_POS", cytology="ASC_US")
    assert summary.conclusion == "REFER"
    assert summary.action_en == "Colposcopy"


def test_asc_us_with_hpv_negative_is_a_recall_in_about_twelve_months():
    summary = summarise(hpv="HPV_NEG", cytology="ASC_US")
    assert summary.conclusion == "RECALL"
    assert summary.follow_up_due_on == DAY + timedelta(days=365)


def test_hpv_16_18_is_referred_to_colposcopy():
    summary = summarise(hpv="HPV_16_18_POS")
    assert summary.conclusion == "REFER"
    assert summary.action_en == "Colposcopy"
    assert not summary.urgent


def test_hsil_is_an_urgent_referral():
    summary = summarise(hpv="HPV_16_18_POS", cytology="HSIL")
    assert summary.conclusion == "REFER"
    assert summary.urgent
    assert summary.follow_up_due_on == DAY + timedelta(days=14)


def test_birads_3_is_a_recall_in_six_months():
    summary = summarise(breast_ultrasound="BIRADS_3")
    assert summary.conclusion == "RECALL"
    assert summary.follow_up_due_on == DAY + timedelta(days=180)


def test_birads_4a_is_referred_for_a_biopsy():
    summary = summarise(breast_ultrasound="BIRADS_4A")
    assert summary.conclusion == "REFER"
    assert summary.action_en == "Breast biopsy"


def test_unsatisfactory_samples_are_recalled_to_be_taken_again():
    summary = summarise(cytology="UNSAT")
    assert summary.conclusion == "RECALL"
    assert "does not mean anything is wrong" in summary.text_en


def test_the_most_severe_conclusion_wins_across_tests_and_all_texts_are_kept():
    summary = summarise(
        hpv="HPV_NEG", cytology="NILM", cbe="CBE_NORMAL", breast_ultrasound="BIRADS_4A"
    )
    assert summary.conclusion == "REFER"
    assert summary.action_en == "Breast biopsy"
    assert "biopsy" in summary.text_en
    assert "No abnormality found in this cervical screening" in summary.text_en


def test_an_admin_edit_of_a_rule_changes_the_next_summary():
    SummaryRule.objects.filter(
        test="breast_ultrasound", code="BIRADS_3", requires_test=""
    ).update(follow_up_days=90, action_en="Repeat imaging in 3 months")
    summary = summarise(breast_ultrasound="BIRADS_3")
    assert summary.follow_up_due_on == DAY + timedelta(days=90)
    assert summary.action_en == "Repeat imaging in 3 months"


def test_a_code_without_an_active_rule_is_never_read_as_normal():
    SummaryRule.objects.filter(code="BIRADS_2").update(active=False)
    summary = summarise(breast_ultrasound="BIRADS_2")
    assert summary.conclusion == "REFER"


def test_recomputing_an_unchanged_summary_writes_one_row_and_one_message():
    visit = VisitFactory(day=DAY)
    record(visit, hpv="HPV_16_18_POS")
    first = summary_compute(visit_id=visit.pk)
    again = summary_compute(visit_id=visit.pk)
    assert again.pk == first.pk
    assert again.version == 1
    assert ResultSummary.objects.filter(visit=visit).count() == 1
    messages = Notification.objects.filter(kind="result_ready")
    assert [m.dedupe_key for m in messages] == [f"visit:{visit.pk}:result-ready:1"]


def test_the_result_ready_message_never_carries_the_result():
    visit = VisitFactory(day=DAY)
    record(visit, hpv="HPV_16_18_POS", notes="注意")
    summary_compute(visit_id=visit.pk)
    message = Notification.objects.get(kind="result_ready")
    assert message.context == {}
    assert message.recipient_phone == visit.participant.phone
    for secret in ("HPV", "16", "REFER", "Colposcopy", "注意"):
        assert secret not in str(message.context)


def test_a_corrected_result_replaces_the_summary_and_sends_a_new_notice():
    visit = VisitFactory(day=DAY)
    record(visit, cytology="ASC_H")
    summary_compute(visit_id=visit.pk)
    record(visit, cytology="NILM")
    summary = summary_compute(visit_id=visit.pk)
    assert summary.conclusion == "NORMAL"
    assert summary.version == 2
    assert ResultSummary.objects.filter(visit=visit).count() == 1
    assert Notification.objects.filter(kind="result_ready").count() == 2


def test_no_message_goes_to_a_woman_who_withdrew_her_consent():
    visit = VisitFactory(day=DAY)
    Consent.objects.filter(participant=visit.participant).update(
        withdrawn_at=timezone.now()
    )
    record(visit, hpv="HPV_NEG")
    assert summary_compute(visit_id=visit.pk) is not None
    assert not Notification.objects.exists()
