from django.urls import path

from accounts import views

urlpatterns = [
    path("staff/login/", views.StaffLoginView.as_view(), name="staff-login"),
    path("staff/logout/", views.StaffLogoutView.as_view(), name="staff-logout"),
]
