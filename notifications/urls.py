"""Delivery-receipt endpoints, mounted under sms/receipts/ in config/urls.py."""

from django.urls import path

from notifications import receipt_views
from notifications.voice.receipts import aliyun_voice_receipts

app_name = "sms_receipts"

urlpatterns = [
    path("<str:token>/aliyun/", receipt_views.aliyun_receipts, name="aliyun"),
    path("<str:token>/tencent/", receipt_views.tencent_receipts, name="tencent"),
    path("<str:token>/http/", receipt_views.http_receipts, name="http"),
    path("<str:token>/aliyun_voice/", aliyun_voice_receipts, name="aliyun_voice"),
]
