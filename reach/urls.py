from django.urls import path

from reach import steward_views, text_size, views

urlpatterns = [
    path("text-size/", text_size.text_size, name="text_size"),
    path("wechat/signin/", views.wechat_signin, name="wechat_signin"),
    path("wechat/callback/", views.wechat_callback, name="wechat_callback"),
    path("my/channels/", views.my_channels, name="my_channels"),
    path("steward/", steward_views.steward_home, name="steward_home"),
    path(
        "steward/signup/<int:campaign_id>/",
        steward_views.steward_start,
        name="steward_start",
    ),
    path(
        "steward/confirm/<int:signup_id>/",
        steward_views.steward_confirm,
        name="steward_confirm",
    ),
    path(
        "steward/confirm/<int:signup_id>/abandon/",
        steward_views.steward_abandon,
        name="steward_abandon",
    ),
]
