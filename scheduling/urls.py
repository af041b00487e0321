from django.urls import path

from scheduling import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("book/<int:campaign_id>/", views.book, name="book"),
    path("my/", views.my, name="my"),
    path(
        "my/appointments/<int:appointment_id>/",
        views.appointment_detail,
        name="appointment",
    ),
    path(
        "my/appointments/<int:appointment_id>/qr.svg",
        views.appointment_qr,
        name="appointment_qr",
    ),
    path(
        "my/appointments/<int:appointment_id>/calendar.ics",
        views.appointment_calendar,
        name="appointment_calendar",
    ),
    path(
        "my/appointments/<int:appointment_id>/cancel/",
        views.appointment_cancel,
        name="appointment_cancel",
    ),
    path(
        "my/appointments/<int:appointment_id>/reschedule/",
        views.reschedule,
        name="reschedule",
    ),
]
