"""Message templates before going live: a kind without the gateway's template code
is reported by a check, a command and the admin, and its messages fail at once
with the reason; and no template sends a link in a variable."""

import importlib
import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse

from notifications.backends.aliyun import build_send_request
from notifications.backends.base import OutgoingMessage
from notifications.checks import gateway_template_codes_check
from notifications.models import Kind, MessageTemplate, Notification, Status
from notifications.rendering import render_text
from notifications.selectors import message_kinds_without_code
from notifications.services import notification_send
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

missed_migration = importlib.import_module(
    "notifications.migrations.0006_missed_link_in_text"
)
ADDRESS = "https://ankang.example.cn"


@pytest.fixture
def aliyun(settings):
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_SIGN_NAME = "安康筛查"
    settings.ALIYUN_ACCESS_KEY_ID = "LTAI5tTestOnlyKeyId"
    settings.ALIYUN_ACCESS_KEY_SECRET = "test-only-access-key-secret"
    return settings


def give_codes(*, except_for: tuple[str, ...] = ()) -> None:
    for template in MessageTemplate.objects.exclude(kind__in=except_for):
        template.aliyun_template_code = f"SMS_{template.pk:06d}"
        template.tencent_template_id = f"{1000 + template.pk}"
        template.save()


# --- kinds without a template code


def test_with_a_gateway_chosen_the_kinds_without_its_code_are_listed_in_kind_order():
    give_codes(except_for=(Kind.MISSED, Kind.OTP))

    assert message_kinds_without_code(backend="aliyun") == [Kind.OTP, Kind.MISSED]


def test_a_kind_with_no_template_at_all_counts_as_without_a_code():
    give_codes()
    MessageTemplate.objects.filter(kind=Kind.TEST).delete()

    assert message_kinds_without_code(backend="tencent") == [Kind.TEST]


@pytest.mark.parametrize("backend", ["console", "file", "locmem", "http"])
def test_backends_that_send_our_own_text_need_no_codes(backend):
    assert message_kinds_without_code(backend=backend) == []


def test_the_database_check_warns_of_kinds_that_would_fail_once_live(aliyun):
    give_codes(except_for=(Kind.RESULT_READY,))

    warnings = gateway_template_codes_check(databases=["default"])

    assert [warning.id for warning in warnings] == ["notifications.W001"]
    assert "result_ready" in warnings[0].msg
    assert "aliyun_template_code" in warnings[0].msg


def test_the_check_is_quiet_when_every_kind_has_a_code(aliyun):
    give_codes()

    assert gateway_template_codes_check(databases=["default"]) == []


def test_the_check_asks_the_database_only_when_told_to(aliyun):
    assert gateway_template_codes_check(databases=None) == []


def test_the_command_lists_each_kind_and_fails_on_a_missing_code(capsys):
    give_codes(except_for=(Kind.FOLLOW_UP_DUE,))

    with pytest.raises(CommandError, match="follow_up_due"):
        call_command("check_sms_templates", backend="tencent")

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(Kind.values)
    assert lines[Kind.values.index(Kind.FOLLOW_UP_DUE)].split() == [
        "follow_up_due",
        "MISSING",
    ]


def test_the_command_passes_when_every_kind_has_a_code(capsys):
    give_codes()

    call_command("check_sms_templates", backend="aliyun")

    assert "Every kind of message has a template code for aliyun." in (
        capsys.readouterr().out
    )


def test_the_template_list_in_the_admin_warns_of_missing_codes(
    aliyun, admin_client_logged_in
):
    give_codes(except_for=(Kind.CANCELLED,))

    response = admin_client_logged_in.get(
        reverse("admin:notifications_messagetemplate_changelist"),
        headers={"accept-language": "en"},
    )

    assert [str(message) for message in response.context["messages"]] == [
        "1 kind of message has no Alibaba Cloud template code and would fail "
        "when sent: Cancelled."
    ]


def test_a_message_without_a_code_fails_at_once_and_the_admin_says_what_to_do(
    aliyun, admin_client_logged_in
):
    notification = NotificationFactory(kind=Kind.RESULT_READY, context={})

    sent = notification_send(notification_id=notification.pk)

    assert (sent.status, sent.attempts, sent.last_error) == (
        Status.FAILED,
        1,
        "aliyun:template_missing",
    )
    assert Notification.objects.get(pk=notification.pk).status == Status.FAILED
    response = admin_client_logged_in.get(
        reverse("admin:notifications_notification_changelist"),
        headers={"accept-language": "en"},
    )
    assert b"enter it under Message templates, then retry" in response.content


# --- the missed message's link


def test_the_missed_text_holds_the_sites_address_and_only_the_campaign_varies():
    template = missed_migration.missed_template(ADDRESS)

    assert template["param_names"] == ["date", "campaign"]
    assert template["body_zh"].endswith(f"重新预约:{ADDRESS}/book/${{campaign}}/")
    assert template["body_en"].endswith(f"{ADDRESS}/book/${{campaign}}/")


def test_without_a_public_address_the_missed_text_sends_her_to_the_site_in_words():
    template = missed_migration.missed_template("")

    assert template["param_names"] == ["date"]
    assert "请登录预约平台重新预约" in template["body_zh"]
    assert "${" not in template["body_zh"].replace("${date}", "")


def test_migrating_rewrites_the_seeded_missed_text_with_the_public_address(settings):
    settings.PUBLIC_BASE_URL = ADDRESS + "/"
    MessageTemplate.objects.filter(kind=Kind.MISSED).update(**missed_migration.OLD)

    missed_migration.forward(apps, None)

    template = MessageTemplate.objects.get(kind=Kind.MISSED)
    text = render_text(
        kind=Kind.MISSED,
        language="zh-hans",
        params={"date": "3月12日", "campaign": "7"},
    )
    assert template.param_names == ["date", "campaign"]
    assert text == (
        "您3月12日的两癌筛查预约未到检。名额仍为您保留,"
        "重新预约:https://ankang.example.cn/book/7/"
    )


def test_migrating_leaves_a_missed_text_staff_have_changed(settings):
    settings.PUBLIC_BASE_URL = ADDRESS
    MessageTemplate.objects.filter(kind=Kind.MISSED).update(
        **{**missed_migration.OLD, "body_zh": "您${date}未到检,请访问${link}。"}
    )

    missed_migration.forward(apps, None)

    template = MessageTemplate.objects.get(kind=Kind.MISSED)
    assert template.body_zh == "您${date}未到检,请访问${link}。"


def test_migrating_back_restores_the_seeded_missed_text(settings):
    settings.PUBLIC_BASE_URL = ADDRESS
    MessageTemplate.objects.filter(kind=Kind.MISSED).update(**missed_migration.OLD)
    missed_migration.forward(apps, None)

    missed_migration.backward(apps, None)

    template = MessageTemplate.objects.get(kind=Kind.MISSED)
    assert template.body_zh == missed_migration.OLD["body_zh"]
    assert template.param_names == ["date", "link"]


def test_the_missed_message_sends_alibaba_no_url_in_its_parameters(aliyun):
    MessageTemplate.objects.filter(kind=Kind.MISSED).update(
        aliyun_template_code="SMS_465380777",
        **missed_migration.missed_template(ADDRESS),
    )
    message = OutgoingMessage(
        phone="13800138000",
        kind=Kind.MISSED,
        template_key=Kind.MISSED,
        params={"date": "3月12日", "campaign": "7"},
        text="",
        correlation_id="appointment:1:missed",
    )

    request = build_send_request(message, MessageTemplate.objects.get(kind="missed"))

    assert json.loads(request.template_param) == {"date": "3月12日", "campaign": "7"}


@pytest.mark.parametrize("kind", Kind.values)
def test_no_seeded_template_takes_a_link_as_a_parameter(kind):
    template = MessageTemplate.objects.get(kind=kind)

    assert "link" not in template.param_names
    assert "url" not in template.param_names
