"""The clinic's specimen API (SPEC §8.1): take a tube, list, reject, labels."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from common.models import AuditEvent
from notifications.models import Notification
from specimens.failsafe_models import FailsafePolicy
from specimens.models import Recollection, Specimen, SpecimenStatus
from specimens.services import specimen_step
from tests.accounts.factories import UserFactory
from tests.scheduling.desk_support import clinic_user, token_client
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import ParticipantFactory, bearer_token
from tests.screening.result_factories import VisitFactory
from tests.specimens.factories import collected

pytestmark = pytest.mark.django_db

SPECIMENS = "/api/v1/clinic/specimens/"


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(
        "notifications.services.handover.enqueue_send", lambda _pk: None
    )


@pytest.fixture
def site():
    return SiteFactory()


@pytest.fixture
def nurse(site):
    return clinic_user(site)


@pytest.fixture
def api(nurse):
    return token_client(nurse)


@pytest.fixture
def visit(site):
    woman = ParticipantFactory(full_name="李桂芳")
    return VisitFactory(site_id=site.pk, site_name=site.name, participant=woman)


def _reject_url(specimen_id: int) -> str:
    return f"{SPECIMENS}{specimen_id}/reject/"


def _create(api, visit, kind="hpv"):
    return api.post(
        SPECIMENS, {"appointment": visit.appointment_id, "kind": kind}, format="json"
    )


def test_taking_a_tube_answers_201_with_its_barcode(api, visit, nurse):
    response = _create(api, visit)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "barcode", "kind", "status", "collected_at"}
    assert body["kind"] == "hpv"
    assert body["status"] == "collected"
    specimen = Specimen.objects.get(pk=body["id"])
    assert specimen.barcode == body["barcode"]
    assert specimen.collected_by == nurse


def test_the_same_tube_sent_twice_is_a_409_and_one_tube(api, visit):
    first = _create(api, visit)
    second = _create(api, visit)

    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json()["code"] == "already_collected"
    assert Specimen.objects.filter(visit=visit, kind="hpv").count() == 1


def test_after_a_rejection_the_same_kind_can_be_taken_again(api, visit):
    first = _create(api, visit).json()
    api.post(_reject_url(first["id"]), {"reason": "leaked"}, format="json")

    again = _create(api, visit)

    assert again.status_code == 201
    assert again.json()["barcode"] != first["barcode"]
    task = Recollection.objects.get(specimen_id=first["id"])
    assert task.new_specimen_id == again.json()["id"]


def test_an_appointment_without_a_check_in_is_a_409(api):
    response = api.post(
        SPECIMENS, {"appointment": 999_999, "kind": "hpv"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "not_checked_in"


def test_an_undone_check_in_is_a_409(api, visit):
    visit.undone_at = timezone.now()
    visit.save(update_fields=["undone_at"])

    response = _create(api, visit)

    assert response.status_code == 409
    assert response.json()["code"] == "not_checked_in"


@pytest.mark.parametrize(
    "body",
    [
        {"appointment": 1, "kind": "blood"},
        {"appointment": 1},
        {"kind": "hpv"},
        {"appointment": "abc", "kind": "hpv"},
        {"appointment": 2**40, "kind": "hpv"},
    ],
)
def test_a_bad_kind_or_appointment_is_a_400_field_error(api, body):
    response = api.post(SPECIMENS, body, format="json")

    assert response.status_code == 400
    assert set(response.json()) <= {"appointment", "kind"}
    assert response.json()


def test_another_sites_visit_is_a_403_and_no_tube(visit):
    other = token_client(clinic_user(SiteFactory()))

    response = _create(other, visit)

    assert response.status_code == 403
    assert response.json()["code"] == "other_site"
    assert not Specimen.objects.exists()


def test_the_list_shows_her_sites_tubes_with_names_masked(api, visit, nurse):
    tubes = collected(visit)
    collected(VisitFactory(site_id=SiteFactory().pk))

    response = api.get(SPECIMENS)

    assert response.status_code == 200
    body = response.json()
    assert {row["id"] for row in body["results"]} == {t.pk for t in tubes}
    assert {row["name"] for row in body["results"]} == {"李**"}
    assert "李桂芳" not in response.content.decode()
    assert body["next_page"] is None
    assert AuditEvent.objects.filter(action="specimens.listed", actor=nurse).exists()


def test_the_list_filters_by_status_and_site(api, visit, site):
    hpv, _cytology = collected(visit)
    specimen_step(specimen_id=hpv.pk, to="dispatched", by=None, site_ids=None)

    dispatched = api.get(SPECIMENS, {"status": "dispatched", "site": site.pk}).json()

    assert [row["id"] for row in dispatched["results"]] == [hpv.pk]
    assert dispatched["results"][0]["status"] == "dispatched"


def test_the_list_of_overdue_tubes_uses_each_campaigns_limit(api, site):
    old = VisitFactory(site_id=site.pk)
    strict = VisitFactory(site_id=site.pk)
    FailsafePolicy.objects.create(
        campaign=strict.campaign, remind_days=3, escalate_days=5, lost_days=7
    )
    late, fresh = collected(old)[0], collected(strict)[0]
    Specimen.objects.filter(pk=late.pk).update(
        collected_at=timezone.now() - timedelta(days=15)
    )
    Specimen.objects.filter(pk=fresh.pk).update(
        collected_at=timezone.now() - timedelta(days=4)
    )

    overdue = api.get(SPECIMENS, {"overdue": "true"}).json()["results"]

    assert {row["id"] for row in overdue} == {late.pk, fresh.pk}
    assert all(row["overdue"] for row in overdue)
    on_time = api.get(SPECIMENS, {"overdue": "false"}).json()["results"]
    assert late.pk not in {row["id"] for row in on_time}
    assert len(on_time) == 2


def test_a_resulted_tube_is_never_overdue(api, visit):
    hpv = collected(visit)[0]
    Specimen.objects.filter(pk=hpv.pk).update(
        collected_at=timezone.now() - timedelta(days=40)
    )
    specimen_step(specimen_id=hpv.pk, to="resulted", by=None, site_ids=None)

    assert api.get(SPECIMENS, {"overdue": "true"}).json()["results"] == []


def test_the_list_comes_a_page_at_a_time(api, site, monkeypatch):
    monkeypatch.setattr("specimens.listing.PAGE_SIZE", 3)
    for _ in range(2):
        collected(VisitFactory(site_id=site.pk))

    first = api.get(SPECIMENS).json()
    second = api.get(SPECIMENS, {"page": first["next_page"]}).json()

    assert len(first["results"]) == 3
    assert first["next_page"] == 2
    assert len(second["results"]) == 1
    assert second["next_page"] is None
    seen = {r["id"] for r in first["results"]} | {r["id"] for r in second["results"]}
    assert len(seen) == 4


@pytest.mark.parametrize(
    "query",
    [
        {"status": "lost"},
        {"overdue": "maybe"},
        {"site": "x"},
        {"site": "0"},
        {"page": "0"},
        {"page": "99999999"},
    ],
)
def test_bad_filters_are_a_400(api, query):
    response = api.get(SPECIMENS, query)

    assert response.status_code == 400
    assert response.json()["code"] == "filter_invalid"
    assert set(response.json()["fields"]) == set(query)


def test_asking_for_another_sites_list_is_a_403(api):
    response = api.get(SPECIMENS, {"site": SiteFactory().pk})

    assert response.status_code == 403
    assert response.json()["code"] == "other_site"


def test_a_program_admin_lists_every_site(visit):
    collected(visit)
    collected(VisitFactory(site_id=SiteFactory().pk))
    admin = token_client(UserFactory(role="admin"))

    assert len(admin.get(SPECIMENS).json()["results"]) == 4


def test_rejecting_a_tube_answers_200_and_asks_her_back_once(api, visit):
    hpv = collected(visit)[0]

    response = api.post(_reject_url(hpv.pk), {"reason": "leaked"}, format="json")
    again = api.post(_reject_url(hpv.pk), {"reason": "leaked"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["rejection_reason"] == "leaked"
    assert again.status_code == 409
    assert again.json()["code"] == "status_changed"
    assert Notification.objects.filter(kind="recollection").count() == 1


def test_a_resulted_tube_cannot_be_rejected(api, visit):
    hpv = collected(visit)[0]
    specimen_step(specimen_id=hpv.pk, to="resulted", by=None, site_ids=None)

    response = api.post(_reject_url(hpv.pk), {"reason": "leaked"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "already_resulted"
    hpv.refresh_from_db()
    assert hpv.status == SpecimenStatus.RESULTED


@pytest.mark.parametrize("body", [{}, {"reason": "dropped"}, {"reason": ["leaked"]}])
def test_a_rejection_without_a_known_reason_is_a_400(api, visit, body):
    hpv = collected(visit)[0]

    response = api.post(_reject_url(hpv.pk), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "reason_invalid"
    hpv.refresh_from_db()
    assert hpv.status == SpecimenStatus.COLLECTED


def test_rejecting_an_unknown_tube_is_a_404(api):
    response = api.post(_reject_url(999_999), {"reason": "leaked"}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "specimen_not_found"


def test_rejecting_another_sites_tube_is_a_403(visit):
    hpv = collected(visit)[0]
    other = token_client(clinic_user(SiteFactory()))

    response = other.post(_reject_url(hpv.pk), {"reason": "leaked"}, format="json")

    assert response.status_code == 403
    hpv.refresh_from_db()
    assert hpv.status == SpecimenStatus.COLLECTED


def _callers(visit):
    woman = visit.participant
    participant = APIClient()
    key = bearer_token(phone=woman.phone, participant=woman)
    participant.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return {
        "anonymous": (APIClient(), {401, 403}),
        "participant": (participant, {403}),
        "union": (token_client(UserFactory(role="union")), {403}),
        "steward": (token_client(UserFactory(role="steward")), {403}),
    }


def test_women_the_union_and_strangers_reach_none_of_it(visit):
    hpv = collected(visit)[0]
    labels = f"/api/v1/clinic/appointments/{visit.appointment_id}/labels.svg"
    for name, (client, refused) in _callers(visit).items():
        calls = [
            client.get(SPECIMENS),
            _create(client, visit),
            client.post(_reject_url(hpv.pk), {"reason": "leaked"}, format="json"),
            client.get(labels),
        ]
        assert [c.status_code in refused for c in calls] == [True] * 4, name
    hpv.refresh_from_db()
    assert hpv.status == SpecimenStatus.COLLECTED
