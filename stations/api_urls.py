from django.urls import path

from stations import apis

STOP = "clinic/stations/<int:station_id>/visits/<int:visit_id>/"

urlpatterns = [
    path("clinic/stations/", apis.StationListApi.as_view(), name="api-station-list"),
    path(
        "clinic/stations/<int:station_id>/call-next/",
        apis.StationCallNextApi.as_view(),
        name="api-station-call-next",
    ),
    path(STOP + "start/", apis.StopStartApi.as_view(), name="api-stop-start"),
    path(STOP + "done/", apis.StopDoneApi.as_view(), name="api-stop-done"),
    path(
        STOP + "no-answer/", apis.StopNoAnswerApi.as_view(), name="api-stop-no-answer"
    ),
    path(
        STOP + "not-today/", apis.StopNotTodayApi.as_view(), name="api-stop-not-today"
    ),
    path("clinic/board/", apis.BoardApi.as_view(), name="api-board"),
]
