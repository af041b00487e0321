"""Every JSON endpoint of API v1, gathered from the apps that own them."""

from django.urls import include, path

from indicators import urls as indicator_urls
from scheduling.reports import urls as report_urls

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("screening.api_urls")),
    path("", include("scheduling.api_urls")),
    path("", include("scheduling.waitlist.api_urls")),
    path("", include("scheduling.invitations.api_urls")),
    path("", include("scheduling.desk.api_urls")),
    path("", include("stations.api_urls")),
    path("", include(report_urls.api_urlpatterns)),
    path("", include("specimens.failsafe.api_urls")),
    path("", include("specimens.api_urls")),
    path("", include(indicator_urls.api_urlpatterns)),
]
