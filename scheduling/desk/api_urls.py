"""The desk's JSON API, under /api/v1/clinic/."""

from django.urls import path

from scheduling.desk import apis, results_apis

urlpatterns = [
    path(
        "clinic/appointments/",
        apis.DeskDayListApi.as_view(),
        name="api-clinic-appointments",
    ),
    path(
        "clinic/appointments/search/",
        apis.DeskSearchApi.as_view(),
        name="api-clinic-search",
    ),
    path(
        "clinic/checkins/",
        apis.CheckinCreateApi.as_view(),
        name="api-clinic-checkin",
    ),
    path(
        "clinic/checkins/<int:appointment_id>/undo/",
        apis.CheckinUndoApi.as_view(),
        name="api-clinic-checkin-undo",
    ),
    path(
        "clinic/walk-ins/",
        apis.WalkInCreateApi.as_view(),
        name="api-clinic-walk-in",
    ),
    path(
        "clinic/results/",
        apis.DeskResultCreateApi.as_view(),
        name="api-clinic-results",
    ),
    path(
        "clinic/appointments/<int:appointment_id>/results/undo/",
        results_apis.DeskResultsUndoApi.as_view(),
        name="api-clinic-results-undo",
    ),
    path(
        "clinic/result-imports/",
        apis.ResultImportCreateApi.as_view(),
        name="api-clinic-result-imports",
    ),
    path(
        "clinic/result-imports/<int:import_id>/",
        apis.ResultImportDetailApi.as_view(),
        name="api-clinic-result-import",
    ),
]
