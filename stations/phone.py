"""Her page on the day: her number, where to go and how many are before her.

It refreshes itself with the HTTP Refresh header, which every browser honours
as it would a <meta http-equiv="refresh">, with no JavaScript. The header and
not the tag: an automatic refresh must be one she can stop (WCAG 2.2.1), and a
screen reader's user can (`?still=1`); axe-core flags the tag whatever the page
offers."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from screening.session import identity_from_session
from stations.selectors import ticket_for_participant, ticket_whereabouts

PHONE_REFRESH_SECONDS = 20


@require_GET
def my_day(request: HttpRequest) -> HttpResponse:
    identity = identity_from_session(request)
    if identity is None:
        return redirect("signin")
    participant = identity.participant
    ticket = (
        ticket_for_participant(participant_id=participant.pk, day=timezone.localdate())
        if participant is not None
        else None
    )
    where = ticket_whereabouts(ticket=ticket) if ticket is not None else None
    refresh = None if request.GET.get("still") else PHONE_REFRESH_SECONDS
    response = render(
        request, "stations/my_day.html", {"where": where, "refresh": refresh}
    )
    if refresh:
        response["Refresh"] = str(refresh)
    response["Cache-Control"] = "no-store"
    return response
