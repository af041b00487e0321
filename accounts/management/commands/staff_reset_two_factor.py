from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.services import staff_two_factor_reset


class Command(BaseCommand):
    help = (
        "Reset a staff account's two-factor sign-in (a lost phone): its "
        "authenticator and backup codes are removed, its sessions and API tokens "
        "end, and its next sign-in sets up a new authenticator. Audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, **options: object) -> None:
        username = str(options["username"]).strip()
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No staff account named {username!r}.")
        removed = staff_two_factor_reset(user=user, by=None)
        self.stdout.write(
            self.style.SUCCESS(
                f"Two-factor sign-in of {username} reset ({removed} device(s) "
                "removed, sessions and API tokens ended)."
            )
        )
