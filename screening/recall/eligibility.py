"""What her deferral and cease records say about booking now: one query.

Screening's eligibility rules are a pure function of what callers counted;
this is the count for deferral and cease, read where she books.
"""

from datetime import date

from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils.formats import date_format
from django.utils.translation import gettext

from screening.models import Participant
from screening.reasons import Reason
from screening.recall.models import Cease, Deferral


def recall_state(*, participant_id: int, today: date) -> tuple[date | None, bool]:
    """(end of her live deferral or None, whether all screening has ceased)."""
    deferral = (
        Deferral.objects.filter(
            participant_id=OuterRef("pk"), withdrawn_at__isnull=True, ends_on__gt=today
        )
        .values("participant_id")
        .annotate(last=Max("ends_on"))
        .values("last")
    )
    ceased = Cease.objects.filter(
        participant_id=OuterRef("pk"), withdrawn_at__isnull=True, scope="all"
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=today))
    row = (
        Participant.objects.filter(pk=participant_id)
        .values_list(Subquery(deferral), Exists(ceased))
        .first()
    )
    return (row[0], bool(row[1])) if row else (None, False)


def recall_reasons(*, participant_id: int, today: date) -> list[Reason]:
    """A live deferral or a cease of all screening stands in her way."""
    until, ceased = recall_state(participant_id=participant_id, today=today)
    return recall_reasons_of(until=until, ceased=ceased)


def recall_reasons_of(*, until: date | None, ceased: bool) -> list[Reason]:
    """The reasons of a recall state already read (recall_state, or the
    booking's slot read, which asks the same in its own statement)."""
    reasons = []
    if until is not None:
        reasons.append(
            Reason(
                "deferred",
                gettext(
                    "Your screening is deferred until %(date)s. You can end the "
                    "deferral on My deferral and book again."
                )
                % {"date": date_format(until)},
            )
        )
    if ceased:
        reasons.append(
            Reason(
                "ceased",
                gettext("You are no longer invited to this screening programme."),
            )
        )
    return reasons
