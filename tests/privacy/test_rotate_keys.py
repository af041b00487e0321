"""Key rotation: every value re-encrypted under the new key, every look-up hash
rebuilt, while the application goes on reading."""

import threading

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings

from common.crypto import keyed_hash, keyed_hash_candidates
from common.management.commands.rotate_keys import rotation_targets
from notifications.models import Notification
from screening.models import Participant, ParticipantToken
from tests.notifications.factories import NotificationFactory
from tests.screening.factories import (
    DistrictFactory,
    ParticipantFactory,
    bearer_token,
)

ROWS = 2000
NEW_FERNET = Fernet.generate_key().decode()
NEW_HASH_KEY = "rotated-id-hash-key-abcdefghijklmnop"


def _raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_every_encrypted_and_hashed_model_is_found() -> None:
    labels = {model._meta.label: hashes for model, _enc, hashes in rotation_targets()}

    assert labels["screening.Participant"] == {
        "phone_hash": ("phone", "phone"),
        "id_hash": ("id_number", "id"),
    }
    assert "notifications.Notification" in labels
    assert "screening.ParticipantToken" in labels
    assert "screening.Result" in labels


@pytest.mark.django_db(transaction=True)
def test_rotation_rewrites_everything_while_reads_go_on(settings) -> None:  # type: ignore[no-untyped-def]
    old_keys, old_hash_key = list(settings.FIELD_ENCRYPTION_KEYS), settings.ID_HASH_KEY
    district = DistrictFactory()
    Participant.objects.bulk_create(
        ParticipantFactory.build_batch(ROWS, district=district), batch_size=500
    )
    sample = Participant.objects.order_by("pk").first()
    bearer_token(phone=sample.phone, participant=sample)
    NotificationFactory(recipient_phone=sample.phone)

    errors: list[BaseException] = []
    reads = [0]
    stop = threading.Event()

    def reader() -> None:
        # Another process serving requests: decrypt rows, sign in by phone hash.
        try:
            while not stop.is_set():
                for row in Participant.objects.order_by("?")[:50]:
                    assert row.phone
                    assert row.id_number
                found = Participant.objects.filter(
                    phone_hash__in=keyed_hash_candidates(sample.phone, purpose="phone")
                ).exists()
                assert found
                reads[0] += 1
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    with override_settings(
        FIELD_ENCRYPTION_KEYS=[NEW_FERNET, *old_keys],
        ID_HASH_KEY=NEW_HASH_KEY,
        ID_HASH_KEY_PREVIOUS=old_hash_key,
    ):
        thread = threading.Thread(target=reader)
        thread.start()
        try:
            call_command("rotate_keys", "--batch-size", "250")
        finally:
            stop.set()
            thread.join(timeout=30)

        assert not errors, errors
        assert reads[0] > 0
        only_new = Fernet(NEW_FERNET.encode())
        for table, column in [
            ("screening_participant", "phone"),
            ("screening_participant", "id_number"),
            ("screening_participanttoken", "phone"),
            ("notifications_notification", "recipient_phone"),
        ]:
            for token in _raw(table, column):
                only_new.decrypt(token.encode())
        sample.refresh_from_db()
        assert sample.phone_hash == keyed_hash(sample.phone, purpose="phone")
        assert sample.id_hash == keyed_hash(sample.id_number, purpose="id")
        assert ParticipantToken.objects.get().phone_hash == sample.phone_hash
        assert Notification.objects.get().recipient_hash == sample.phone_hash

    with pytest.raises(InvalidToken):
        Fernet(old_keys[0].encode()).decrypt(
            _raw("screening_participant", "phone")[0].encode()
        )


@pytest.mark.django_db
def test_a_run_resumes_after_a_given_primary_key(settings) -> None:  # type: ignore[no-untyped-def]
    first, second = ParticipantFactory(), ParticipantFactory()
    with override_settings(
        FIELD_ENCRYPTION_KEYS=[NEW_FERNET, *settings.FIELD_ENCRYPTION_KEYS],
        ID_HASH_KEY=NEW_HASH_KEY,
        ID_HASH_KEY_PREVIOUS=settings.ID_HASH_KEY,
    ):
        call_command(
            "rotate_keys",
            "--model",
            "screening.Participant",
            "--start-after",
            str(first.pk),
        )
        first.refresh_from_db()
        second.refresh_from_db()

        assert first.phone_hash != keyed_hash(first.phone, purpose="phone")
        assert second.phone_hash == keyed_hash(second.phone, purpose="phone")
