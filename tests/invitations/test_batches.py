"""Invitation batches: draft with exclusions and reasons, approve once, each
invitation and its reminder sent once, responders and non-responders marked."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from common.models import AuditEvent
from notifications.models import Notification
from scheduling.invitations.models import Invitation, InvitationBatch
from scheduling.invitations.selectors import batch_counts, batch_counts_for_union
from scheduling.invitations.services import (
    batch_approve,
    batch_draft,
    batch_send,
    invitations_sweep,
)
from scheduling.services import appointment_book
from screening.recall.services import cease_record, deferral_record
from tests.scheduling.factories import ConsentedParticipantFactory, SlotFactory
from tests.screening.result_factories import record, staff_user, visit_on

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(
        "notifications.services.handover.enqueue_send", lambda _pk: None
    )


def statuses(batch) -> dict[int, tuple[str, str]]:
    return {
        i.participant_id: (i.status, i.exclusion)
        for i in Invitation.objects.filter(batch=batch)
    }


@pytest.fixture
def world():
    admin = staff_user("admin_i", role="admin")
    slot = SlotFactory()
    due = visit_on(date(2026, 6, 1))
    record(due, by=staff_user("n1"), breast_ultrasound="BIRADS_3")  # due 2026-12-01
    later = visit_on(date(2026, 6, 1))
    record(later, by=staff_user("n2"), hpv="HPV_NEG")  # due 2031
    never, deferred, ceased, moved, booked = ConsentedParticipantFactory.create_batch(5)
    deferral_record(participant=deferred, reason="pregnancy", months=12, today=TODAY)
    cease_record(participant=ceased, reason="opted_out", scope="all", by=admin)
    cease_record(participant=moved, reason="moved_away", scope="all", by=admin)
    appointment_book(participant=booked, slot_id=slot.pk)
    return {
        "admin": admin,
        "campaign": slot.campaign,
        "slot": slot,
        "due": due.participant,
        "later": later.participant,
        "never": never,
        "deferred": deferred,
        "ceased": ceased,
        "moved": moved,
        "booked": booked,
    }


def test_a_draft_invites_the_due_and_the_never_screened_and_says_why_others_not(world):
    batch = batch_draft(
        campaign=world["campaign"], by=world["admin"], due_by=TODAY, today=TODAY
    )

    rows = statuses(batch)

    assert rows[world["due"].pk] == ("drafted", "")
    assert rows[world["never"].pk] == ("drafted", "")
    assert world["later"].pk not in rows
    assert rows[world["deferred"].pk] == ("excluded", "deferred")
    assert rows[world["ceased"].pk] == ("excluded", "opted_out")
    assert rows[world["moved"].pk] == ("excluded", "moved_away")
    assert rows[world["booked"].pk] == ("excluded", "already_booked")
    assert AuditEvent.objects.filter(action="invitations.draft").exists()


def test_approving_twice_approves_once_and_sending_twice_sends_once(world):
    batch = batch_draft(
        campaign=world["campaign"], by=world["admin"], due_by=TODAY, today=TODAY
    )

    first = batch_approve(batch=batch, by=world["admin"])
    second = batch_approve(batch=batch, by=world["admin"])
    sent = batch_send(batch_id=batch.pk)
    again = batch_send(batch_id=batch.pk)

    invited = Invitation.objects.filter(batch=batch, status="sent").count()
    assert (first, second, again) == (True, False, 0)
    assert sent == invited
    assert Notification.objects.filter(kind="invitation").count() == invited
    assert Notification.objects.filter(kind="invitation_reminder").count() == invited
    excluded = {world[k].pk for k in ("deferred", "ceased", "moved", "booked")}
    invited_refs = set(
        Notification.objects.filter(kind="invitation").values_list(
            "recipient_ref", flat=True
        )
    )
    assert not {f"participant:{pk}" for pk in excluded} & invited_refs
    assert AuditEvent.objects.filter(action="invitations.approve").count() == 1


def test_a_draft_is_never_sent_before_approval(world):
    batch = batch_draft(
        campaign=world["campaign"], by=world["admin"], due_by=TODAY, today=TODAY
    )
    assert batch_send(batch_id=batch.pk) == 0
    assert not Notification.objects.filter(kind="invitation").exists()


def test_she_books_her_reminder_is_cancelled_the_silent_become_non_responders(world):
    batch = batch_draft(
        campaign=world["campaign"], by=world["admin"], due_by=TODAY, today=TODAY
    )
    batch_approve(batch=batch, by=world["admin"])
    batch_send(batch_id=batch.pk)
    appointment_book(participant=world["due"], slot_id=world["slot"].pk)

    invitations_sweep(now=timezone.now() + timedelta(days=31))

    rows = statuses(batch)
    assert rows[world["due"].pk] == ("responded", "")
    assert rows[world["never"].pk] == ("non_responder", "")
    reminder = Notification.objects.get(
        kind="invitation_reminder", recipient_ref=f"participant:{world['due'].pk}"
    )
    assert reminder.status == "cancelled"


def test_the_next_batch_invites_last_times_non_responders(world):
    batch = batch_draft(
        campaign=world["campaign"], by=world["admin"], due_by=None, today=TODAY
    )
    batch_approve(batch=batch, by=world["admin"])
    batch_send(batch_id=batch.pk)
    invitations_sweep(now=timezone.now() + timedelta(days=31))
    new_campaign = SlotFactory().campaign

    nxt = batch_draft(
        campaign=new_campaign,
        by=world["admin"],
        due_by=None,
        never_screened=False,
        today=TODAY,
    )

    assert statuses(nxt)[world["never"].pk] == ("drafted", "")


def test_the_union_sees_counts_with_small_ones_hidden(world):
    batch = batch_draft(
        campaign=world["campaign"], by=world["admin"], due_by=TODAY, today=TODAY
    )
    counts = batch_counts(batch=batch)
    shown = batch_counts_for_union(batch=batch)
    assert counts["excluded:deferred"] == 1
    assert shown["excluded:deferred"] is None
    assert all(v is None or v >= 5 or v == 0 for v in shown.values())


def test_a_deferral_that_ended_puts_her_back_in_the_next_batch(world):
    from screening.recall.models import Deferral

    woman = world["later"]  # screened, not due for years
    Deferral.objects.create(
        participant=woman,
        reason="menses",
        months=6,
        starts_on=date(2026, 6, 2),
        ends_on=date(2026, 12, 2),
        created_at=timezone.now(),
    )

    batch = batch_draft(
        campaign=world["campaign"],
        by=world["admin"],
        due_by=None,
        never_screened=False,
        today=TODAY,
    )

    assert statuses(batch)[woman.pk] == ("drafted", "")


def test_union_staff_read_the_counts_and_nobody_else(world):
    from rest_framework.test import APIClient

    from tests.accounts.factories import UserFactory

    batch = batch_draft(
        campaign=world["campaign"], by=world["admin"], due_by=TODAY, today=TODAY
    )
    url = f"/api/v1/reports/invitation-batches/?campaign={world['campaign'].pk}"
    union, clinic = APIClient(), APIClient()
    union.force_authenticate(UserFactory(username="u_inv", role="union"))
    clinic.force_authenticate(UserFactory(username="c_inv", role="clinic"))

    answer = union.get(url)

    assert answer.status_code == 200
    assert answer.json()[0]["id"] == batch.pk
    assert answer.json()[0]["counts"]["excluded:deferred"] is None
    assert clinic.get(url).status_code == 403
    bad = union.get("/api/v1/reports/invitation-batches/?campaign=x")
    assert bad.status_code == 400
    assert bad.json()["code"] == "campaign_required"


def test_a_program_admin_drafts_reviews_and_approves_in_the_admin(world, client):
    from tests.accounts.factories import program_admin

    client.force_login(program_admin("pa_inv"))

    added = client.post(
        "/admin/invitations/invitationbatch/add/",
        {
            "campaign": world["campaign"].pk,
            "due_by": TODAY.isoformat(),
            "never_screened": "on",
            "non_responders": "on",
        },
    )
    batch = InvitationBatch.objects.get()
    review = client.get(f"/admin/invitations/invitationbatch/{batch.pk}/change/")
    approved = client.post(
        "/admin/invitations/invitationbatch/",
        {"action": "approve", "_selected_action": [batch.pk]},
    )

    assert added.status_code == 302
    assert "excluded:deferred: 1" in review.content.decode()
    assert world["deferred"].full_name not in review.content.decode()
    assert approved.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "approved"
