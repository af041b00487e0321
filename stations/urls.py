from django.urls import path

from stations import phone, views

urlpatterns = [
    path("desk/stations/", views.station_index, name="stations"),
    path(
        "desk/stations/<int:station_id>/rooms/<int:room>/",
        views.room_screen,
        name="stations-room",
    ),
    path("desk/stations/board/", views.board, name="stations-board"),
    path("desk/stations/day/", views.day_view, name="stations-day"),
    path(
        "desk/stations/tickets/<int:ticket_id>/",
        views.ticket_act,
        name="stations-ticket",
    ),
    path("desk/stations/close/", views.day_close, name="stations-close"),
    path("my/day/", phone.my_day, name="my-day"),
]
