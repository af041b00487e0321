from django.urls import path

from scheduling import views

urlpatterns = [
    path("", views.landing, name="landing"),
]
