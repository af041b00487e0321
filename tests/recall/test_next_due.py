"""Next-due dates from the rules table, for each case of DOMAIN §6.3."""

from datetime import date

import pytest
from django.utils import timezone

from screening.models import FollowUpCase, SummaryRule
from screening.recall.intervals import add_months
from screening.recall.models import CampaignRecall, RecallInterval
from screening.recall.selectors import next_due_for_participant, next_due_register
from screening.results.summaries import summary_compute
from tests.screening.result_factories import record, staff_user, visit_on

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 31)


def due(visit) -> dict[str, date | None]:
    return {
        d.test: d.due_on
        for d in next_due_for_participant(participant_id=visit.participant_id)
    }


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2026, 3, 31), 6) == date(2026, 9, 30)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


def test_hpv_negative_with_nilm_is_due_in_five_years():
    visit = visit_on(DAY)
    record(visit, by=staff_user(), hpv="HPV_NEG", cytology="NILM")
    assert due(visit) == {"hpv": date(2031, 3, 31), "cytology": date(2031, 3, 31)}


def test_cytology_nilm_alone_is_due_in_three_years():
    visit = visit_on(DAY)
    record(visit, by=staff_user(), cytology="NILM")
    assert due(visit) == {"cytology": date(2029, 3, 31)}


def test_other_hpv_types_with_nilm_re_test_in_twelve_months():
    visit = visit_on(DAY)
    record(visit, by=staff_user(), hpv="HPV_OTHER_POS", cytology="NILM")
    assert due(visit)["hpv"] == date(2027, 3, 31)


def test_birads_one_or_two_takes_the_campaigns_breast_interval():
    visit = visit_on(DAY)
    CampaignRecall.objects.create(campaign=visit.campaign, breast_interval_months=12)
    record(visit, by=staff_user(), breast_ultrasound="BIRADS_2")
    assert due(visit) == {"breast_ultrasound": date(2027, 3, 31)}


def test_birads_one_without_a_campaign_setting_is_due_in_two_years():
    visit = visit_on(DAY)
    record(visit, by=staff_user(), breast_ultrasound="BIRADS_1")
    assert due(visit) == {"breast_ultrasound": date(2028, 3, 31)}


def test_birads_three_is_due_in_six_months():
    visit = visit_on(DAY)
    record(visit, by=staff_user(), breast_ultrasound="BIRADS_3")
    assert due(visit) == {"breast_ultrasound": date(2026, 9, 30)}


def test_refer_has_no_routine_date_until_the_follow_up_closes():
    visit = visit_on(DAY)
    record(visit, by=staff_user(), hpv="HPV_16_18_POS")
    summary_compute(visit_id=visit.pk)
    assert due(visit) == {"hpv": None}

    closed = timezone.now()
    FollowUpCase.objects.filter(visit=visit).update(status="CLOSED", closed_at=closed)

    assert due(visit) == {"hpv": timezone.localdate(closed)}


def test_an_interval_edited_by_an_admin_is_honoured_at_once():
    visit = visit_on(DAY)
    record(visit, by=staff_user(), cytology="NILM")
    rule = SummaryRule.objects.get(test="cytology", code="NILM", requires_test="")
    RecallInterval.objects.filter(rule=rule).update(months=24)
    assert due(visit) == {"cytology": date(2028, 3, 31)}


def test_every_seeded_rule_has_an_interval():
    assert not SummaryRule.objects.filter(recall_interval__isnull=True).exists()


def test_the_register_keeps_women_due_by_a_date():
    soon, later = visit_on(DAY), visit_on(DAY)
    record(soon, by=staff_user("a"), breast_ultrasound="BIRADS_3")
    record(later, by=staff_user("b"), hpv="HPV_NEG")

    rows = list(next_due_register(today=DAY, due_by=date(2027, 1, 1)))

    assert [r.participant_id for r in rows] == [soon.participant_id]
    assert rows[0].earliest == date(2026, 9, 30)


def test_program_admins_see_the_register_masked_and_the_read_is_audited(client):
    from common.models import AuditEvent
    from tests.accounts.factories import UserFactory

    visit = visit_on(DAY)
    record(visit, by=staff_user(), breast_ultrasound="BIRADS_3")
    client.force_login(UserFactory(username="admin_r", role="admin", is_staff=True))

    page = client.get("/recall/register/?due_by=2027-01-01")
    export = client.get("/recall/register.csv?due_by=2027-01-01")

    assert page.status_code == 200
    body = page.content.decode()
    assert "2026-09-30" in body
    assert visit.participant.full_name not in body
    assert export.status_code == 200
    assert "2026-09-30" in export.content.decode("utf-8-sig")
    assert visit.participant.phone not in export.content.decode("utf-8-sig")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"recall.register.view", "recall.register.export"} <= actions


def test_a_bad_date_is_a_400_with_the_message(client):
    from tests.accounts.factories import UserFactory

    client.force_login(UserFactory(username="admin_r", role="admin", is_staff=True))
    page = client.get("/recall/register/?due_by=soon")
    assert page.status_code == 400


def test_clinic_and_union_staff_cannot_open_the_register(client):
    from tests.accounts.factories import UserFactory

    for role in ("clinic", "union"):
        client.force_login(UserFactory(username=f"r_{role}", role=role))
        assert client.get("/recall/register/").status_code == 403
        assert client.get("/recall/register.csv").status_code == 403


def test_her_profile_in_the_api_carries_next_due_and_deferred_until():
    from rest_framework.test import APIClient

    from screening.authentication import PhoneIdentity
    from screening.recall.services import deferral_record

    visit = visit_on(DAY)
    record(visit, by=staff_user(), breast_ultrasound="BIRADS_3")
    woman = visit.participant
    deferral = deferral_record(participant=woman, reason="menses", months=6)
    client = APIClient()
    client.force_authenticate(
        PhoneIdentity(phone=woman.phone, phone_hash=woman.phone_hash, participant=woman)
    )

    me = client.get("/api/v1/participants/me/").json()

    assert me["next_due"] == [{"test": "breast_ultrasound", "due_on": "2026-09-30"}]
    assert me["deferred_until"] == deferral.ends_on.isoformat()
