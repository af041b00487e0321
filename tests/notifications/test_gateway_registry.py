"""Choosing a gateway by SMS_BACKEND, and what stops start-up."""

import sys

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from notifications.backends import SupportsStatusQuery, get_backend
from notifications.backends.aliyun import AliyunBackend
from notifications.backends.http import HttpBackend
from notifications.backends.tencent import TencentBackend


@pytest.fixture
def gateway_settings(settings):
    settings.SMS_SIGN_NAME = "安康筛查"
    settings.ALIYUN_ACCESS_KEY_ID = "LTAI5tTestOnlyKeyId"
    settings.ALIYUN_ACCESS_KEY_SECRET = "test-only-access-key-secret"
    settings.TENCENT_SECRET_ID = "AKIDtestonlysecretid"
    settings.TENCENT_SECRET_KEY = "test-only-secret-key"
    settings.TENCENT_SMS_APP_ID = "1400787878"
    settings.SMS_HTTP_URL = "https://sms-gateway.example.org/send"
    settings.SMS_HTTP_SECRET = "test-only-gateway-secret"
    return settings


@pytest.mark.parametrize(
    ("name", "backend_class"),
    [("aliyun", AliyunBackend), ("tencent", TencentBackend), ("http", HttpBackend)],
)
def test_each_gateway_is_chosen_by_its_name(gateway_settings, name, backend_class):
    backend = get_backend(name)

    assert isinstance(backend, backend_class)
    assert backend.name == name
    assert isinstance(backend, SupportsStatusQuery)


def test_an_unknown_backend_is_a_lookup_error_listing_the_choices():
    with pytest.raises(
        LookupError, match="aliyun, console, file, http, locmem, tencent"
    ):
        get_backend("carrier-pigeon")


@pytest.mark.parametrize(
    ("name", "sdk_module", "extra"),
    [
        ("aliyun", "alibabacloud_dysmsapi20170525", "ankang[aliyun]"),
        ("tencent", "tencentcloud.sms.v20210111", "ankang[tencent]"),
    ],
)
def test_a_gateway_whose_sdk_is_missing_names_the_extra_to_install(
    gateway_settings, monkeypatch, name, sdk_module, extra
):
    monkeypatch.setitem(sys.modules, sdk_module, None)
    monkeypatch.delitem(sys.modules, f"notifications.backends.{name}")

    with pytest.raises(LookupError) as raised:
        get_backend(name)

    assert extra in str(raised.value)
    assert "pip install" in str(raised.value)


def test_a_missing_sdk_stops_start_up(gateway_settings, monkeypatch):
    gateway_settings.SMS_BACKEND = "aliyun"
    monkeypatch.setitem(sys.modules, "alibabacloud_dysmsapi20170525", None)
    monkeypatch.delitem(sys.modules, "notifications.backends.aliyun")

    with pytest.raises(ImproperlyConfigured, match=r"ankang\[aliyun\]"):
        apps.get_app_config("notifications").ready()


def test_a_gateway_chosen_without_its_settings_stops_start_up(gateway_settings):
    gateway_settings.SMS_BACKEND = "tencent"
    gateway_settings.TENCENT_SMS_APP_ID = ""

    with pytest.raises(ImproperlyConfigured, match="TENCENT_SMS_APP_ID"):
        apps.get_app_config("notifications").ready()
