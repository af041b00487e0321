from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from scheduling.selectors import campaign_overviews


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(
        request, "scheduling/landing.html", {"overviews": campaign_overviews()}
    )
