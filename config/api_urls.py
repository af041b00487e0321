"""Every JSON endpoint of API v1, gathered from the apps that own them."""

from django.urls import include, path

urlpatterns = [
    path("", include("screening.api_urls")),
    path("", include("scheduling.api_urls")),
]
