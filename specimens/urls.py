from django.urls import path

from specimens import views

urlpatterns = [
    path(
        "appointments/<int:appointment_id>/",
        views.visit_specimens_page,
        name="specimens-visit",
    ),
    path(
        "appointments/<int:appointment_id>/labels/",
        views.visit_labels,
        name="specimens-labels",
    ),
]
