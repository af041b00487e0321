"""The screening day (SPEC §8.2, DOMAIN §6.6): the stations of a site, her queue
number for the day, and one stop per station on her route.

The app sits below scheduling and never imports it: the site is referenced by
name ("scheduling.Site"), and the desk's check-in calls down into the services
here with the visit screening has just opened.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from screening.models import Visit


class StationTest(models.TextChoices):
    REGISTRATION = "registration", _("Registration and history")
    HPV = "hpv", _("hrHPV sampling")
    CYTOLOGY = "cytology", _("Cytology sampling")
    CBE = "cbe", _("Clinical breast exam")
    BREAST_ULTRASOUND = "breast_ultrasound", _("Breast ultrasound")
    MAMMOGRAPHY = "mammography", _("Mammography")


class Station(models.Model):
    """A place she passes through: one or more rooms doing the same tests."""

    site = models.ForeignKey(
        "scheduling.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="stations",
    )
    name = models.CharField(_("name"), max_length=100)
    tests = models.JSONField(_("tests performed"), default=list)
    rooms = models.PositiveSmallIntegerField(_("rooms in parallel"), default=1)
    room_names = models.CharField(
        _("room names"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated, as the call board shows them; empty: 1, 2, …"),
    )
    service_minutes = models.PositiveSmallIntegerField(
        _("expected minutes per woman"), default=5
    )
    step = models.PositiveSmallIntegerField(
        _("step"),
        default=1,
        help_text=_("Stations of the same step may be visited in any order."),
    )
    min_age = models.PositiveSmallIntegerField(
        _("from age"), null=True, blank=True, help_text=_("Empty: every age.")
    )
    max_age = models.PositiveSmallIntegerField(_("to age"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["site", "step", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "name"], name="station_name_unique_per_site"
            ),
            models.CheckConstraint(
                condition=Q(rooms__gte=1), name="station_rooms_gte_1"
            ),
            models.CheckConstraint(
                condition=Q(service_minutes__gte=1), name="station_minutes_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def room_name(self, room: int) -> str:
        names = [name.strip() for name in self.room_names.split(",") if name.strip()]
        return names[room - 1] if 0 < room <= len(names) else str(room)

    def room_choices(self) -> list[tuple[int, str]]:
        return [(room, self.room_name(room)) for room in range(1, self.rooms + 1)]


class TicketStatus(models.TextChoices):
    INSIDE = "inside", _("Inside")
    FINISHED = "finished", _("Finished")
    LEFT_EARLY = "left_early", _("Left early")


class QueueCounter(models.Model):
    """The last queue number given at a site on a day; taken by one update."""

    site = models.ForeignKey(
        "scheduling.Site", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "day"], name="queue_counter_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.day}: {self.last}"


class Ticket(models.Model):
    """Her day at the site: a queue number and the stops of her route."""

    visit = models.OneToOneField(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="+"
    )
    site = models.ForeignKey(
        "scheduling.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    day = models.DateField(_("day"))
    number = models.PositiveIntegerField(_("queue number"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=TicketStatus.choices,
        default=TicketStatus.INSIDE,
    )
    opened_at = models.DateTimeField(_("checked in at"))
    closed_at = models.DateTimeField(_("finished or left at"), null=True, blank=True)

    class Meta:
        verbose_name = _("queue ticket")
        verbose_name_plural = _("queue tickets")
        ordering = ["site", "day", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "day", "number"], name="ticket_number_unique_per_day"
            )
        ]
        indexes = [models.Index(fields=["site", "day", "status"])]

    def __str__(self) -> str:
        return f"{self.day} #{self.number}"


class StopStatus(models.TextChoices):
    PENDING = "pending", _("Still to come")
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("In the room")
    DONE = "done", _("Done")
    NOT_TODAY = "not_today", _("Cannot be done today")
    MISSED = "missed", _("Left before it")


# She stands in at most one line at a time, and a room holds at most one woman.
ACTIVE = (StopStatus.WAITING, StopStatus.CALLED, StopStatus.SERVING)
IN_ROOM = (StopStatus.CALLED, StopStatus.SERVING)
OPEN = (StopStatus.PENDING, *ACTIVE)
UNSERVED = (StopStatus.NOT_TODAY, StopStatus.MISSED)


class Stop(models.Model):
    """One station on her route and where she stands at it."""

    # No index of its own: stop_once_per_station (ticket, station) leads with it,
    # and every step writes each of this table's indexes.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="stops", db_index=False
    )
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="stops")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=StopStatus.choices,
        default=StopStatus.PENDING,
    )
    # First time she joined this line (her wait is measured from here) and her
    # place in it now (moved to the back when she did not answer).
    joined_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    called_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    room = models.PositiveSmallIntegerField(null=True, blank=True)
    no_answers = models.PositiveSmallIntegerField(default=0)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("stop")
        verbose_name_plural = _("stops")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "station"], name="stop_once_per_station"
            ),
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(status__in=ACTIVE),
                name="stop_one_line_at_a_time",
            ),
            models.UniqueConstraint(
                fields=["station", "room"],
                condition=Q(status__in=IN_ROOM),
                name="stop_one_woman_per_room",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=ACTIVE) | Q(queued_at__isnull=False),
                name="stop_in_line_has_a_place",
            ),
            models.CheckConstraint(
                condition=Q(called_at__isnull=True) | Q(called_at__gte=F("joined_at")),
                name="stop_called_after_joining",
            ),
        ]
        indexes = [
            models.Index(
                fields=["station", "queued_at", "id"],
                condition=Q(status=StopStatus.WAITING),
                name="stop_line_order",
            ),
            # The loads routing reads, and the rooms' "who is here".
            models.Index(
                fields=["station", "status"],
                condition=Q(status__in=ACTIVE),
                name="stop_active_by_station",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket} at {self.station_id}: {self.status}"
