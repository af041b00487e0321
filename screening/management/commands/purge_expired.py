"""Apply the retention schedule now (beat runs it nightly at 03:30)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from screening.retention import purge_expired


class Command(BaseCommand):
    help = (
        "Anonymise participants past their retention time, finish held deletion "
        "requests, delete old sign-in codes, tokens and sessions, mask old messages."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be done and change nothing.",
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        counts = purge_expired(dry_run=dry_run)
        verb = "would be" if dry_run else "were"
        for name, count in counts.as_dict().items():
            label = name.replace("_", " ")
            self.stdout.write(f"{label}: {count} ({verb} processed)")
