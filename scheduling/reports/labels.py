"""What the union's pages and downloads call each measure and breakdown, in the
reader's language. One list, so the dashboard and the spreadsheets agree."""

from django.utils.translation import gettext_lazy as _

MEASURE_LABELS = {
    "registered": _("Registered"),
    "booked": _("Booked"),
    "checked_in": _("Checked in"),
    "screened": _("Screened"),
    "no_show": _("No-shows"),
    "cancelled": _("Cancelled"),
    "quota_used": _("Funded places used"),
    "turnout_rate": _("Turnout rate"),
    "no_show_rate": _("No-show rate"),
}
SERIES_LABELS = {
    "registrations": _("Registrations"),
    "bookings": _("Bookings"),
    "check_ins": _("Check-ins"),
}
GROUP_BY_LABELS = {
    "employment_type": _("Employment type"),
    "district": _("District"),
    "site": _("Site"),
    "day": _("Visit day"),
    "age_band": _("Age band"),
}
