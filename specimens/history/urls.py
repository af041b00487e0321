from django.urls import path

from specimens.history import views

urlpatterns = [
    path("<int:campaign_id>/", views.my_history, name="my_history"),
]
