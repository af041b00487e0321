"""The admin shows appointments but cannot change their status or slot, add or
delete one: each of those moves counters and sends messages, which only the
booking services do."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import Role
from scheduling.models import Appointment, AppointmentStatus, Slot
from tests.accounts.factories import UserFactory
from tests.scheduling.factories import AppointmentFactory, SlotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):  # type: ignore[no-untyped-def]
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    return client


def test_the_change_form_moves_neither_status_nor_slot(admin_client) -> None:  # type: ignore[no-untyped-def]
    appointment = AppointmentFactory()
    Slot.objects.filter(pk=appointment.slot_id).update(booked=1)
    other = SlotFactory(
        campaign=appointment.campaign,
        site=appointment.slot.site,
        starts_at=appointment.slot.starts_at + timedelta(hours=1),
    )
    url = reverse("admin:scheduling_appointment_change", args=[appointment.pk])

    page = admin_client.get(url)
    admin_client.post(
        url,
        {
            "participant": appointment.participant_id,
            "slot": other.pk,
            "status": AppointmentStatus.CANCELLED,
            "is_walk_in": "on",
            "reschedule_count": 3,
        },
    )

    appointment.refresh_from_db()
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    assert 'name="slot"' not in page.content.decode()
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.slot_id != other.pk
    assert Slot.objects.get(pk=appointment.slot_id).booked == 1
    assert Slot.objects.get(pk=other.pk).booked == 0


def test_the_admin_neither_adds_nor_deletes_appointments(admin_client) -> None:  # type: ignore[no-untyped-def]
    appointment = AppointmentFactory()

    add = admin_client.get(reverse("admin:scheduling_appointment_add"))
    delete = admin_client.post(
        reverse("admin:scheduling_appointment_delete", args=[appointment.pk]),
        {"post": "yes"},
    )

    assert add.status_code == 403
    assert delete.status_code == 403
    assert Appointment.objects.filter(pk=appointment.pk).exists()
