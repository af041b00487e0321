"""Draft texts from the program's domain notes; admins edit them without a deploy."""

from django.db import migrations

TEMPLATES = [
    (
        "otp",
        "您的验证码是${code},5分钟内有效。请勿告诉他人。",
        "Your code is ${code}. It is valid for 5 minutes. Do not share it.",
        ["code"],
    ),
    (
        "booking_confirmed",
        "您已预约${date} ${time}在${site}的两癌筛查,预约号${reference},请携带身份证。"
        "检查前48小时内避免同房及阴道用药,经期请改约。",
        "Booked: two-cancer screening at ${site}, ${date} ${time}, reference "
        "${reference}. Bring your ID card. No intercourse or vaginal medicine for "
        "48 hours before; rebook if you have your period.",
        ["date", "time", "site", "reference"],
    ),
    (
        "reminder_day_before",
        "提醒:您预约了明天${time}在${site}的免费两癌筛查,请按时到达。如需改约请登录预约平台。",
        "Reminder: your free screening is tomorrow at ${time}, ${site}. To change it, "
        "sign in to the booking site.",
        ["time", "site"],
    ),
    (
        "reminder_same_day",
        "提醒:您今天${time}在${site}有两癌筛查预约,请携带身份证按时到达。",
        "Reminder: your screening is today at ${time}, ${site}. Bring your ID card.",
        ["time", "site"],
    ),
    (
        "rescheduled",
        "您的两癌筛查已改约至${date} ${time},地点${site},预约号${reference}。",
        "Your screening has moved to ${date} ${time} at ${site}, reference ${reference}.",
        ["date", "time", "site", "reference"],
    ),
    (
        "cancelled",
        "您${date} ${time}在${site}的两癌筛查预约已取消。如需重新预约请登录预约平台。",
        "Your screening on ${date} ${time} at ${site} is cancelled. Sign in to book again.",
        ["date", "time", "site"],
    ),
    (
        "missed",
        "您${date}的两癌筛查预约未到检。名额仍为您保留,请登录${link}重新预约。",
        "You missed your screening on ${date}. You can still book: ${link}",
        ["date", "link"],
    ),
    (
        "result_ready",
        "您的两癌筛查结果已出,请登录预约平台查看。如需进一步检查,工作人员会与您联系。",
        "Your screening result is ready. Please sign in to the booking site to see it.",
        [],
    ),
    (
        "follow_up_due",
        "您的两癌筛查有一项需要进一步检查,请于${deadline}前联系${site},电话${tel}。",
        "One of your screening checks needs a follow-up. Please contact ${site} "
        "(${tel}) before ${deadline}.",
        ["deadline", "site", "tel"],
    ),
]


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for kind, body_zh, body_en, params in TEMPLATES:
        MessageTemplate.objects.get_or_create(
            kind=kind,
            defaults={"body_zh": body_zh, "body_en": body_en, "param_names": params},
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
