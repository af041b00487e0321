"""Reporting pages (`urlpatterns`) and API (`api_urlpatterns`, under /api/v1/)."""

from django.urls import path

from indicators import apis, views

urlpatterns = [
    path("reports/indicators/", views.indicators_page, name="indicators-page"),
]

api_urlpatterns = [
    path(
        "reports/indicators/",
        apis.IndicatorsApi.as_view(),
        name="api-report-indicators",
    ),
    path(
        "reports/quarterly/", apis.QuarterlyApi.as_view(), name="api-report-quarterly"
    ),
    path(
        "reports/quarterly.xlsx",
        apis.QuarterlyXlsxApi.as_view(),
        name="api-report-quarterly-xlsx",
    ),
    path(
        "reports/reconciliation.xlsx",
        apis.ReconciliationXlsxApi.as_view(),
        name="api-report-reconciliation-xlsx",
    ),
]
