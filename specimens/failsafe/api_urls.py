from django.urls import path

from specimens.failsafe import apis

urlpatterns = [
    path("clinic/failsafe/", apis.FailsafeWorklistApi.as_view(), name="api-failsafe"),
    path(
        "clinic/failsafe/<int:item_id>/close/",
        apis.FailsafeItemCloseApi.as_view(),
        name="api-failsafe-close",
    ),
    path(
        "clinic/failsafe/digest/",
        apis.FailsafeDigestApi.as_view(),
        name="api-failsafe-digest",
    ),
    path(
        "clinic/specimens/turnaround/",
        apis.TurnaroundApi.as_view(),
        name="api-specimens-turnaround",
    ),
    path(
        "reports/specimen-turnaround/",
        apis.UnionTurnaroundApi.as_view(),
        name="api-union-specimens-turnaround",
    ),
]
