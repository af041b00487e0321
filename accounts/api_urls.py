from django.urls import path

from accounts import apis

urlpatterns = [
    path("auth/token/", apis.StaffTokenCreateApi.as_view(), name="api-staff-token"),
]
