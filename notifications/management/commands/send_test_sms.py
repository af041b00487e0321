import secrets

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from common.masking import mask_phone
from common.phone import InvalidPhone, normalise_phone
from notifications.models import Kind
from notifications.services import notification_schedule


class Command(BaseCommand):
    help = (
        "Queue a test SMS through the outbox; the worker sends it with the "
        "configured backend."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("phone", help="A mainland mobile number.")

    def handle(self, *args: object, **options: object) -> None:
        try:
            phone = normalise_phone(str(options["phone"]))
        except InvalidPhone as exc:
            raise CommandError(str(exc)) from None
        with transaction.atomic():
            notification = notification_schedule(
                phone=phone,
                kind=Kind.TEST,
                dedupe_key=f"test:{secrets.token_hex(8)}",
            )
        self.stdout.write(
            f"Queued test message {notification.pk} to {mask_phone(phone)}; "
            "the worker sends it."
        )
