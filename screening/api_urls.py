from django.urls import path

from screening import apis, result_apis, token_apis

urlpatterns = [
    path("auth/otp/", apis.OtpRequestApi.as_view(), name="api-otp-request"),
    path("auth/otp/verify/", apis.OtpVerifyApi.as_view(), name="api-otp-verify"),
    path(
        "auth/token/renew/",
        token_apis.TokenRenewApi.as_view(),
        name="api-participant-token-renew",
    ),
    path("auth/signout/", token_apis.SignOutApi.as_view(), name="api-signout"),
    path(
        "participants/",
        apis.ParticipantCreateApi.as_view(),
        name="api-participant-create",
    ),
    path(
        "participants/me/", apis.ParticipantMeApi.as_view(), name="api-participant-me"
    ),
    path("results/", result_apis.ResultListApi.as_view(), name="api-result-list"),
]
