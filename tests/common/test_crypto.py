"""Encrypted fields and keyed hashes."""

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from common.crypto import keyed_hash
from screening.models import Participant
from tests.notifications.factories import NotificationFactory
from tests.screening.factories import ParticipantFactory

PHONE = "13812345678"
ID_NUMBER = "11010519491231002X"


def raw_columns(table: str, columns: str, pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()


@pytest.fixture
def key_a(settings) -> str:
    key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [key]
    return key


@pytest.mark.django_db
def test_phone_and_id_number_are_not_stored_in_plain_text():
    participant = ParticipantFactory(phone=PHONE, id_number=ID_NUMBER)

    phone, id_number = raw_columns(
        "screening_participant", "phone, id_number", participant.pk
    )

    assert PHONE not in phone
    assert ID_NUMBER not in id_number


@pytest.mark.django_db
def test_the_same_phone_is_stored_differently_each_time():
    first = NotificationFactory(recipient_phone=PHONE)
    second = NotificationFactory(recipient_phone=PHONE)

    (first_raw,) = raw_columns(
        "notifications_notification", "recipient_phone", first.pk
    )
    (second_raw,) = raw_columns(
        "notifications_notification", "recipient_phone", second.pk
    )

    assert PHONE not in first_raw
    assert first_raw != second_raw


@pytest.mark.django_db
def test_encrypted_values_read_back_as_written():
    participant = ParticipantFactory(phone=PHONE, id_number=ID_NUMBER)

    stored = Participant.objects.get(pk=participant.pk)

    assert stored.phone == PHONE
    assert stored.id_number == ID_NUMBER


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lookup", "value"),
    [
        ("phone", PHONE),
        ("phone__exact", PHONE),
        ("phone__iexact", PHONE),
        ("phone__startswith", PHONE[:3]),
        ("phone__in", [PHONE]),
    ],
)
def test_looking_up_an_encrypted_field_by_value_raises_type_error(lookup, value):
    with pytest.raises(TypeError, match="phone is encrypted"):
        Participant.objects.filter(**{lookup: value})


@pytest.mark.django_db
def test_an_encrypted_field_can_still_be_tested_for_null():
    ParticipantFactory()

    assert Participant.objects.filter(phone__isnull=False).count() == 1


@pytest.mark.django_db
def test_a_value_written_under_an_old_key_decrypts_after_rotation(settings, key_a):
    participant = ParticipantFactory(phone=PHONE)
    key_b = Fernet.generate_key().decode()

    settings.FIELD_ENCRYPTION_KEYS = [key_b, key_a]

    assert Participant.objects.get(pk=participant.pk).phone == PHONE


@pytest.mark.django_db
def test_after_rotation_new_values_are_written_under_the_new_key(settings, key_a):
    key_b = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [key_b, key_a]

    participant = ParticipantFactory(phone=PHONE)

    (raw,) = raw_columns("screening_participant", "phone", participant.pk)
    assert Fernet(key_b.encode()).decrypt(raw.encode()).decode() == PHONE


@pytest.mark.django_db
def test_a_value_under_an_unknown_key_raises_a_clear_error(settings, key_a):
    participant = ParticipantFactory(phone=PHONE)

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(ValueError, match="could not be decrypted with any"):
        Participant.objects.get(pk=participant.pk)


def test_keyed_hash_is_stable_for_one_value_and_purpose():
    assert keyed_hash(PHONE, purpose="phone") == keyed_hash(PHONE, purpose="phone")


def test_keyed_hash_is_a_hex_sha256_digest():
    digest = keyed_hash(PHONE, purpose="phone")

    assert len(digest) == 64
    assert int(digest, 16) >= 0


def test_keyed_hash_differs_by_purpose():
    assert keyed_hash(PHONE, purpose="phone") != keyed_hash(PHONE, purpose="id")


def test_keyed_hash_differs_by_key(settings):
    before = keyed_hash(PHONE, purpose="phone")

    settings.ID_HASH_KEY = "another-key-of-enough-length-0123"

    assert keyed_hash(PHONE, purpose="phone") != before
