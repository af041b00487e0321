from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scheduling.models import Site
from scheduling.services import slots_generate
from scheduling.slot_plans import MAX_DAYS
from screening.models import Campaign, CampaignStatus


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date; use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Create slots from a site's slot templates for a date range (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--site", required=True, metavar="CODE")
        parser.add_argument("--from", dest="date_from", required=True, metavar="DATE")
        parser.add_argument("--to", dest="date_to", required=True, metavar="DATE")
        parser.add_argument(
            "--campaign",
            type=int,
            metavar="ID",
            help="Campaign id; default: each open campaign with templates there.",
        )

    def handle(self, *args: object, **options: object) -> None:
        date_from = _date(str(options["date_from"]))
        date_to = _date(str(options["date_to"]))
        if date_to < date_from:
            raise CommandError("--to is before --from.")
        if (date_to - date_from).days > MAX_DAYS:
            raise CommandError("The range is longer than a year; generate in parts.")
        site = Site.objects.filter(code=options["site"]).first()
        if site is None:
            known = ", ".join(Site.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"Unknown site {options['site']!r}. Known: {known}.")
        campaigns = Campaign.objects.filter(slot_templates__site=site).distinct()
        if options["campaign"] is not None:
            campaigns = campaigns.filter(pk=options["campaign"])
        else:
            campaigns = campaigns.filter(status=CampaignStatus.OPEN)
        if not campaigns:
            raise CommandError(f"No campaign has slot templates at site {site.code}.")
        for campaign in campaigns:
            created = slots_generate(
                campaign=campaign, site=site, date_from=date_from, date_to=date_to
            )
            self.stdout.write(
                f"{campaign.name}: {len(created)} new slots at {site.code}."
            )
