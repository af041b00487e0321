from django.urls import path

from screening.recall import phone_views, views

urlpatterns = [
    path("recall/register/", views.register_view, name="recall-register"),
    path("recall/register.csv", views.register_export, name="recall-register-csv"),
    path("my/deferral/", phone_views.my_deferral, name="my-deferral"),
    path("my/deferral/end/", phone_views.my_deferral_end, name="my-deferral-end"),
]
