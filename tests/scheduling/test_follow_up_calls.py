"""The follow-up worklist: a nurse shows a woman's number to call her (audited,
with a purpose from a list) and records what the call came to."""

import pytest

from common.models import AuditEvent
from screening.models import ContactAttempt, FollowUpCase, FollowUpStatus
from screening.privacy import participant_anonymise
from screening.services import summary_compute
from tests.scheduling.desk_support import clinic_user
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import ParticipantFactory
from tests.screening.result_factories import VisitFactory, record

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture
def site():  # type: ignore[no-untyped-def]
    return SiteFactory(name="焦作市妇幼保健院")


@pytest.fixture
def desk(client, site):  # type: ignore[no-untyped-def]
    client.force_login(clinic_user(site))
    return client


@pytest.fixture
def case(site) -> FollowUpCase:  # type: ignore[no-untyped-def]
    visit = VisitFactory(
        site_id=site.pk,
        participant=ParticipantFactory(full_name="王秀英", phone=PHONE),
    )
    record(visit, hpv="HPV_16_18_POS")
    summary_compute(visit_id=visit.pk)
    return FollowUpCase.objects.get(visit=visit)


def reveal(desk, site, case, purpose: str = "follow_up_call"):  # type: ignore[no-untyped-def]
    return desk.post(
        f"/desk/follow-up/{case.pk}/reveal/", {"site": site.pk, "purpose": purpose}
    )


def call(desk, site, case, **data: str):  # type: ignore[no-untyped-def]
    return desk.post(f"/desk/follow-up/{case.pk}/calls/", {"site": site.pk, **data})


def test_the_worklist_keeps_numbers_masked_and_offers_to_show_one(desk, site, case):  # type: ignore[no-untyped-def]
    page = desk.get(f"/desk/follow-up/?site={site.pk}").content.decode()

    assert PHONE not in page
    assert "139****5678" in page
    assert f'action="/desk/follow-up/{case.pk}/reveal/"' in page
    assert 'value="referral"' in page


def test_showing_her_number_is_audited_with_the_purpose_chosen(desk, site, case):  # type: ignore[no-untyped-def]
    response = reveal(desk, site, case, purpose="referral")

    assert response.status_code == 200
    assert PHONE in response.content.decode()
    assert (
        "no-store" in response["Cache-Control"]
        or "no-cache" in response["Cache-Control"]
    )
    event = AuditEvent.objects.get(action="follow_up.phone_revealed")
    assert (event.object_type, event.object_id) == ("follow_up_case", str(case.pk))
    assert event.purpose == "referral"
    assert event.actor is not None


def test_a_purpose_not_on_the_list_shows_no_number_and_records_nothing(
    desk, site, case
):  # type: ignore[no-untyped-def]
    response = reveal(desk, site, case, purpose="curiosity")

    assert response.status_code == 302
    assert PHONE not in desk.get(response["Location"]).content.decode()
    assert not AuditEvent.objects.filter(action="follow_up.phone_revealed").exists()


def test_another_sites_nurse_cannot_show_her_number(client, site, case):  # type: ignore[no-untyped-def]
    other = SiteFactory()
    client.force_login(clinic_user(other))

    response = reveal(client, other, case)

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="follow_up.phone_revealed").exists()


def test_a_reached_call_is_recorded_with_who_when_and_outcome_and_marks_her_notified(
    desk, site, case
):  # type: ignore[no-untyped-def]
    response = call(desk, site, case, outcome="reached", note="约下周三复查")

    assert response.status_code == 302
    attempt = ContactAttempt.objects.get(case=case)
    assert attempt.outcome == "reached"
    assert attempt.note == "约下周三复查"
    assert attempt.by is not None
    assert attempt.at is not None
    case.refresh_from_db()
    assert case.status == FollowUpStatus.NOTIFIED
    listing = desk.get(response["Location"]).content.decode()
    assert "已联系上" in listing


def test_three_unanswered_calls_mark_her_lost(desk, site, case):  # type: ignore[no-untyped-def]
    for _ in range(3):
        assert call(desk, site, case, outcome="no_answer").status_code == 302

    case.refresh_from_db()
    assert case.status == FollowUpStatus.LOST
    assert ContactAttempt.objects.filter(case=case).count() == 3


@pytest.mark.parametrize(
    "data",
    [{"outcome": "bored"}, {"outcome": "reached", "note": "长" * 201}, {}],
)
def test_a_bad_call_record_is_refused_with_a_form_error_and_records_nothing(
    desk, site, case, data
):  # type: ignore[no-untyped-def]
    response = call(desk, site, case, **data)

    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not ContactAttempt.objects.exists()


def test_her_erasure_blanks_the_notes_of_her_calls(desk, site, case):  # type: ignore[no-untyped-def]
    call(desk, site, case, outcome="reached", note="她说在外地")
    case.set_status(FollowUpStatus.DECLINED)
    case.save()

    participant_anonymise(participant=case.participant, reason="self_request")

    assert ContactAttempt.objects.get(case=case).note == ""
