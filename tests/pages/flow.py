"""Walking the worker pages as she would: ask for a code, read it, enter it."""

from pathlib import Path

from django.db.models import F
from django.test import Client

from notifications.models import Notification
from notifications.secrets import secret_params_of
from scheduling.models import Appointment, Slot
from screening.consent import HEALTH_DATA_CONSENT_VERSION
from screening.models import Campaign, Consent, ConsentPurpose, Participant
from tests.scheduling.factories import AppointmentFactory
from tests.screening.factories import ParticipantFactory

CSS_FILE = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"


def last_code() -> str:
    row = Notification.objects.filter(kind="otp").latest("id")
    return secret_params_of(row)["code"]


def sign_in(client: Client, phone: str, *, campaign: Campaign | None = None) -> str:
    """Ask for a code on the phone page and enter it; returns where she lands."""
    base = f"/signup/{campaign.pk}/" if campaign is not None else "/signin/"
    sent = client.post(base, {"phone": phone})
    assert sent.status_code == 302, sent.content.decode()
    entered = client.post(sent["Location"], {"code": last_code()})
    assert entered.status_code == 302, entered.content.decode()
    return entered["Location"]


def registered_woman(phone: str, **fields: object) -> Participant:
    """A woman who signed up earlier and consented to the processing of health data."""
    participant = ParticipantFactory(phone=phone, **fields)
    Consent.objects.create(
        participant=participant,
        purpose=ConsentPurpose.HEALTH_DATA,
        text_version=HEALTH_DATA_CONSENT_VERSION,
    )
    return participant


def booked_appointment(participant: Participant, slot: Slot) -> Appointment:
    """Her booking in `slot`, with the place it takes counted on the slot."""
    Slot.objects.filter(pk=slot.pk).update(booked=F("booked") + 1)
    return AppointmentFactory(participant=participant, slot=slot)
