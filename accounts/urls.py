from django.urls import path

from accounts import views

urlpatterns = [
    path("staff/login/", views.StaffLoginView.as_view(), name="staff-login"),
    path("staff/logout/", views.StaffLogoutView.as_view(), name="staff-logout"),
    path(
        "staff/two-factor/",
        views.TwoFactorVerifyView.as_view(),
        name="staff-two-factor",
    ),
    path(
        "staff/two-factor/setup/",
        views.TwoFactorSetupView.as_view(),
        name="staff-two-factor-setup",
    ),
]
