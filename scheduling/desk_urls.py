from django.urls import path

from scheduling import (
    desk_day,
    desk_results,
    desk_views,
    desk_walk_in,
    follow_up_views,
    lab_import_views,
)

urlpatterns = [
    path("", desk_day.desk_home, name="desk"),
    path("checkin/", desk_day.desk_checkin, name="desk-checkin"),
    path(
        "checkins/<int:appointment_id>/undo/",
        desk_day.desk_undo,
        name="desk-undo",
    ),
    path("search/", desk_views.desk_search, name="desk-search"),
    path("walk-in/", desk_walk_in.desk_walk_in, name="desk-walk-in"),
    path(
        "appointments/<int:appointment_id>/results/",
        desk_results.desk_results,
        name="desk-results",
    ),
    path(
        "appointments/<int:appointment_id>/results/undo/",
        desk_results.desk_results_undo,
        name="desk-results-undo",
    ),
    path("missing/", desk_views.desk_missing, name="desk-missing"),
    path("follow-up/", follow_up_views.desk_follow_up, name="desk-follow-up"),
    path(
        "follow-up/<int:case_id>/reveal/",
        follow_up_views.desk_follow_up_reveal,
        name="desk-follow-up-reveal",
    ),
    path(
        "follow-up/<int:case_id>/calls/",
        follow_up_views.desk_follow_up_call,
        name="desk-follow-up-call",
    ),
    path("imports/", lab_import_views.desk_imports, name="desk-imports"),
    path(
        "imports/template.csv",
        lab_import_views.desk_import_template,
        name="desk-import-template",
    ),
    path(
        "imports/<int:import_id>/",
        lab_import_views.desk_import,
        name="desk-import",
    ),
]
