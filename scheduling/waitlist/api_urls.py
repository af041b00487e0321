from django.urls import path

from scheduling.waitlist import apis

urlpatterns = [
    path("waitlist/", apis.WaitlistCollectionApi.as_view(), name="api-waitlist"),
    path(
        "waitlist/<int:entry_id>/claim/",
        apis.WaitlistClaimApi.as_view(),
        name="api-waitlist-claim",
    ),
    path(
        "waitlist/<int:entry_id>/leave/",
        apis.WaitlistLeaveApi.as_view(),
        name="api-waitlist-leave",
    ),
]
