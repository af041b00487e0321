from django.urls import path

from screening import apis

urlpatterns = [
    path("auth/otp/", apis.OtpRequestApi.as_view(), name="api-otp-request"),
    path("auth/otp/verify/", apis.OtpVerifyApi.as_view(), name="api-otp-verify"),
    path(
        "participants/",
        apis.ParticipantCreateApi.as_view(),
        name="api-participant-create",
    ),
    path(
        "participants/me/", apis.ParticipantMeApi.as_view(), name="api-participant-me"
    ),
    path("results/", apis.ResultListApi.as_view(), name="api-result-list"),
]
