from django.urls import include, path

from screening import registration_views, views

urlpatterns = [
    path("signup/<int:campaign_id>/", views.phone_step, name="signup_phone"),
    path("signup/<int:campaign_id>/code/", views.code_step, name="signup_code"),
    path(
        "signup/<int:campaign_id>/profile/",
        registration_views.profile_step,
        name="signup_profile",
    ),
    path(
        "signup/<int:campaign_id>/consent/",
        registration_views.consent_step,
        name="signup_consent",
    ),
    path("signin/", views.phone_step, name="signin"),
    path("signin/code/", views.code_step, name="signin_code"),
    path("signout/", views.sign_out_view, name="signout"),
    path("my/results/", views.my_results, name="my_results"),
    path("my/", include("screening.privacy_urls")),
]
