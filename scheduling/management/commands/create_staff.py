import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import Role
from accounts.services import staff_create
from scheduling.models import Site


class Command(BaseCommand):
    help = (
        "Create or update a staff account. The password comes from STAFF_PASSWORD "
        "or a prompt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument(
            "--site",
            action="append",
            default=[],
            metavar="CODE",
            help="A site the clinic account works at (repeat for several).",
        )

    def handle(self, *args: object, **options: object) -> None:
        username = str(options["username"]).strip()
        role = str(options["role"])
        codes = [str(code) for code in options["site"]]  # type: ignore[attr-defined]
        if not username:
            raise CommandError("USERNAME must not be empty.")
        if role == Role.CLINIC and not codes:
            raise CommandError("A clinic account needs at least one --site CODE.")
        if role != Role.CLINIC and codes:
            raise CommandError("Only clinic accounts belong to sites; drop --site.")
        sites = list(Site.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {site.code for site in sites})
        if missing:
            known = ", ".join(Site.objects.values_list("code", flat=True)) or "none"
            raise CommandError(
                f"Unknown site code(s): {', '.join(missing)}. Known: {known}."
            )
        password = os.environ.get("STAFF_PASSWORD") or self._prompt_password()
        try:
            with transaction.atomic():
                user = staff_create(username=username, role=role, password=password)
                user.sites.set(sites)
        except ValidationError as exc:
            raise CommandError("Password rejected: " + " ".join(exc.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Staff account {username} ({role}) saved.")
        )

    def _prompt_password(self) -> str:
        try:
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
        except EOFError:
            raise CommandError(
                "No password: set STAFF_PASSWORD or run interactively."
            ) from None
        if first != second:
            raise CommandError("The passwords do not match.")
        if not first:
            raise CommandError("The password must not be empty.")
        return first
