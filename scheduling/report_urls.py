"""The union dashboard's pages (`urlpatterns`) and its JSON API (`api_urlpatterns`,
included under /api/v1/)."""

from django.urls import path

from scheduling import report_apis, report_views

urlpatterns = [
    path("union/", report_views.dashboard, name="dashboard"),
]

api_urlpatterns = [
    path(
        "reports/turnout/",
        report_apis.TurnoutReportApi.as_view(),
        name="api-report-turnout",
    ),
    path(
        "reports/turnout.csv",
        report_apis.TurnoutCsvApi.as_view(),
        name="api-report-turnout-csv",
    ),
    path(
        "reports/turnout.xlsx",
        report_apis.TurnoutXlsxApi.as_view(),
        name="api-report-turnout-xlsx",
    ),
    path(
        "reports/outcomes/",
        report_apis.OutcomeReportApi.as_view(),
        name="api-report-outcomes",
    ),
]
