"""The audit trail: written through one function, never changed afterwards."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from common.audit import audit_record
from common.models import AuditEvent
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AuditEvent:
    return audit_record(
        actor=None, action="participant.view", obj_type="participant", obj_id=1
    )


def test_an_audit_event_records_actor_action_record_and_ip():
    user = UserFactory(username="dr-li")
    request = RequestFactory().get("/clinic/", REMOTE_ADDR="203.0.113.7")
    request.user = user

    audit_record(
        actor=user,
        action="participant.view",
        obj_type="participant",
        obj_id=42,
        request=request,
        purpose="check-in",
        details={"field": "id_number"},
    )

    stored = AuditEvent.objects.get()
    assert stored.actor == user
    assert stored.actor_label == "dr-li"
    assert stored.action == "participant.view"
    assert (stored.object_type, stored.object_id) == ("participant", "42")
    assert stored.ip_address == "203.0.113.7"
    assert stored.purpose == "check-in"
    assert stored.details == {"field": "id_number"}


def test_an_audit_event_without_a_signed_in_actor_is_recorded_as_the_system():
    audit_record(
        actor=AnonymousUser(),
        action="notifications.cancel",
        obj_type="appointment",
        obj_id=7,
    )

    stored = AuditEvent.objects.get()
    assert stored.actor is None
    assert stored.actor_label == "system"
    assert stored.ip_address is None


def test_an_audit_event_cannot_be_saved_again(event):
    event.action = "participant.edit"

    with pytest.raises(TypeError, match="never updated"):
        event.save()

    assert AuditEvent.objects.get().action == "participant.view"


def test_audit_events_cannot_be_updated_in_bulk(event):
    with pytest.raises(TypeError, match="never updated"):
        AuditEvent.objects.filter(pk=event.pk).update(action="participant.edit")

    assert AuditEvent.objects.get().action == "participant.view"


def test_an_audit_event_cannot_be_deleted(event):
    with pytest.raises(TypeError, match="never deleted"):
        event.delete()

    assert AuditEvent.objects.count() == 1


def test_audit_events_cannot_be_deleted_in_bulk(event):
    with pytest.raises(TypeError, match="never deleted"):
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE common_auditevent SET action = 'forged' WHERE id = %s",
        "DELETE FROM common_auditevent WHERE id = %s",
    ],
)
def test_the_database_itself_refuses_to_change_or_remove_an_audit_event(
    statement: str,
) -> None:
    event = audit_record(actor=None, action="test.read", obj_type="x", obj_id=1)

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [event.pk])
