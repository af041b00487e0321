"""Reporting pages (`urlpatterns`) and API (`api_urlpatterns`, under /api/v1/)."""

from django.urls import path

from indicators import apis, quiz_views, views

urlpatterns = [
    path("reports/indicators/", views.indicators_page, name="indicators-page"),
    path("quiz/<int:campaign_id>/", quiz_views.quiz_page, name="quiz"),
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
