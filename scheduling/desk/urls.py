"""The desk's pages, under /desk/."""

from django.urls import path

from scheduling.desk import (
    cease_views,
    day_views,
    deferral_views,
    follow_up_views,
    lab_import_views,
    results_views,
    views,
    walk_in_views,
)

urlpatterns = [
    path("", day_views.desk_home, name="desk"),
    path("checkin/", day_views.desk_checkin, name="desk-checkin"),
    path(
        "checkins/<int:appointment_id>/undo/",
        day_views.desk_undo,
        name="desk-undo",
    ),
    path("search/", views.desk_search, name="desk-search"),
    path(
        "appointments/<int:appointment_id>/defer/",
        deferral_views.desk_defer,
        name="desk-defer",
    ),
    path(
        "appointments/<int:appointment_id>/cease/",
        cease_views.desk_cease,
        name="desk-cease",
    ),
    path("walk-in/", walk_in_views.desk_walk_in, name="desk-walk-in"),
    path(
        "appointments/<int:appointment_id>/results/",
        results_views.desk_results,
        name="desk-results",
    ),
    path(
        "appointments/<int:appointment_id>/results/undo/",
        results_views.desk_results_undo,
        name="desk-results-undo",
    ),
    path("missing/", views.desk_missing, name="desk-missing"),
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
