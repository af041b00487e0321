from django.urls import path

from scheduling.waitlist import views

urlpatterns = [
    path("my/waitlist/", views.waitlist_page, name="waitlist"),
    path("my/waitlist/join/", views.waitlist_join_view, name="waitlist_join"),
    path(
        "my/waitlist/<int:entry_id>/claim/",
        views.waitlist_claim_view,
        name="waitlist_claim",
    ),
    path(
        "my/waitlist/<int:entry_id>/leave/",
        views.waitlist_leave_view,
        name="waitlist_leave",
    ),
]
