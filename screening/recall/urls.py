from django.urls import path

from screening.recall import views

urlpatterns = [
    path("recall/register/", views.register_view, name="recall-register"),
    path("recall/register.csv", views.register_export, name="recall-register-csv"),
]
