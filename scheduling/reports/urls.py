"""The union dashboard's pages (`urlpatterns`) and its JSON API (`api_urlpatterns`,
included under /api/v1/)."""

from django.urls import path

from scheduling.reports import apis, views

urlpatterns = [
    path("union/", views.dashboard, name="dashboard"),
]

api_urlpatterns = [
    path(
        "reports/turnout/",
        apis.TurnoutReportApi.as_view(),
        name="api-report-turnout",
    ),
    path(
        "reports/turnout.csv",
        apis.TurnoutCsvApi.as_view(),
        name="api-report-turnout-csv",
    ),
    path(
        "reports/turnout.xlsx",
        apis.TurnoutXlsxApi.as_view(),
        name="api-report-turnout-xlsx",
    ),
    path(
        "reports/outcomes/",
        apis.OutcomeReportApi.as_view(),
        name="api-report-outcomes",
    ),
]
