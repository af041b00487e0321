"""The clinic's specimen API, under /api/v1/clinic/."""

from django.urls import path

from specimens import apis

urlpatterns = [
    path(
        "clinic/specimens/",
        apis.SpecimenListCreateApi.as_view(),
        name="api-clinic-specimens",
    ),
    path(
        "clinic/specimens/<int:specimen_id>/reject/",
        apis.SpecimenRejectApi.as_view(),
        name="api-clinic-specimen-reject",
    ),
    path(
        "clinic/appointments/<int:appointment_id>/labels.svg",
        apis.LabelsSvgApi.as_view(),
        name="api-clinic-labels-svg",
    ),
]
