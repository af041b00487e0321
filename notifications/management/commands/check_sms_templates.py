from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from notifications.selectors import GATEWAY_TEMPLATE_FIELDS, message_template_codes


class Command(BaseCommand):
    help = (
        "List each kind of message with its template code at the SMS gateway "
        "(SMS_BACKEND, or --backend); fail when any has none. Run it before "
        "going live."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--backend",
            choices=sorted(GATEWAY_TEMPLATE_FIELDS),
            help="The gateway to check for; SMS_BACKEND by default.",
        )

    def handle(self, *args: object, **options: object) -> None:
        backend = str(options["backend"] or settings.SMS_BACKEND)
        if backend not in GATEWAY_TEMPLATE_FIELDS:
            self.stdout.write(
                f"SMS_BACKEND {backend} sends the texts kept here: it needs no "
                "gateway template codes."
            )
            return
        codes = message_template_codes(backend=backend)
        width = max(len(kind) for kind in codes)
        for kind, code in codes.items():
            self.stdout.write(f"{kind.ljust(width)}  {code or 'MISSING'}")
        missing = [kind for kind, code in codes.items() if not code]
        if missing:
            raise CommandError(
                f"{len(missing)} kinds of message have no {backend} template code "
                f"and would fail when sent: {', '.join(missing)}. Enter the codes "
                "in the admin under Messages > Message templates."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Every kind of message has a template code for {backend}."
            )
        )
