from django.urls import path

from scheduling import desk_results, desk_views, desk_walk_in

urlpatterns = [
    path("", desk_views.desk_home, name="desk"),
    path("checkin/", desk_views.desk_checkin, name="desk-checkin"),
    path(
        "checkins/<int:appointment_id>/undo/",
        desk_views.desk_undo,
        name="desk-undo",
    ),
    path("search/", desk_views.desk_search, name="desk-search"),
    path("walk-in/", desk_walk_in.desk_walk_in, name="desk-walk-in"),
    path(
        "appointments/<int:appointment_id>/results/",
        desk_results.desk_results,
        name="desk-results",
    ),
    path("missing/", desk_views.desk_missing, name="desk-missing"),
    path("follow-up/", desk_views.desk_follow_up, name="desk-follow-up"),
    path("imports/", desk_views.desk_imports, name="desk-imports"),
    path("imports/<int:import_id>/", desk_views.desk_import, name="desk-import"),
]
