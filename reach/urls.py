from django.urls import path

from reach import views

urlpatterns = [
    path("wechat/signin/", views.wechat_signin, name="wechat_signin"),
    path("wechat/callback/", views.wechat_callback, name="wechat_callback"),
    path("my/channels/", views.my_channels, name="my_channels"),
]
