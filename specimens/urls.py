from django.urls import path

from specimens import manifest_views, views
from specimens.history import views as history_views

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

urlpatterns += [
    path("manifests/", manifest_views.manifests_page, name="specimens-manifests"),
    path(
        "manifests/<int:manifest_id>/",
        manifest_views.manifest_page,
        name="specimens-manifest",
    ),
    path(
        "manifests/<int:manifest_id>.<str:fmt>",
        manifest_views.manifest_download,
        name="specimens-manifest-download",
    ),
    path("receive/", manifest_views.receive_page, name="specimens-receive"),
]

urlpatterns += [
    path(
        "appointments/<int:appointment_id>/history/",
        history_views.desk_history,
        name="specimens-history",
    ),
]
