from django.urls import path

from specimens.failsafe import union_views, views

urlpatterns = [
    path("failsafe/", views.worklist_page, name="failsafe-worklist"),
    path("failsafe/<int:item_id>/close/", views.item_close, name="failsafe-close"),
    path("failsafe/digest/", views.digest_page, name="failsafe-digest"),
    path("turnaround/", views.turnaround_page, name="specimens-turnaround"),
]

union_urlpatterns = [
    path(
        "union/specimens/turnaround/",
        union_views.union_turnaround_page,
        name="union-specimens-turnaround",
    ),
]
