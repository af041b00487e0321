import os
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scheduling.demo import DEMO_STAFF, demo_seed


class Command(BaseCommand):
    help = "Create the demo campaign, sites, slots and staff (DEBUG only; idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="", help="Where the site is served.")

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: demo accounts have no place "
                "in production."
            )
        password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(12)
        result = demo_seed(password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo campaign {'created' if result.created else 'already present'}: "
                f"{result.campaign.name} ({result.slots_created} new slots)."
            )
        )
        if result.lab_csv is not None:
            self.stdout.write(
                f"Lab results by barcode for the desk's lab import: {result.lab_csv}"
            )
        if options["url"]:
            self.stdout.write(f"Open {options['url']}")
        for username, role in DEMO_STAFF:
            if username in result.staff_created:
                self.stdout.write(f"  {username} ({role}) password: {password}")
            else:
                self.stdout.write(
                    f"  {username} ({role}): exists, password unchanged "
                    "(set DEMO_PASSWORD and delete var/ to reset)"
                )
