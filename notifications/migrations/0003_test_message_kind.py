from django.db import migrations, models


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    MessageTemplate.objects.get_or_create(
        kind="test",
        defaults={
            "body_zh": "这是安康两癌筛查平台的测试短信,无需回复。",
            "body_en": "This is a test message from the Ankang screening service.",
            "param_names": [],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_seed_message_templates")]

    operations = [
        migrations.AlterField(
            model_name='messagetemplate',
            name='kind',
            field=models.CharField(choices=[('otp', 'Sign-in code'), ('booking_confirmed', 'Booking confirmed'), ('reminder_day_before', 'Reminder the day before'), ('reminder_same_day', 'Reminder the same morning'), ('rescheduled', 'Rescheduled'), ('cancelled', 'Cancelled'), ('missed', 'Missed visit'), ('result_ready', 'Result ready'), ('follow_up_due', 'Follow-up due'), ('test', 'Test message')], max_length=32, unique=True, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='kind',
            field=models.CharField(choices=[('otp', 'Sign-in code'), ('booking_confirmed', 'Booking confirmed'), ('reminder_day_before', 'Reminder the day before'), ('reminder_same_day', 'Reminder the same morning'), ('rescheduled', 'Rescheduled'), ('cancelled', 'Cancelled'), ('missed', 'Missed visit'), ('result_ready', 'Result ready'), ('follow_up_due', 'Follow-up due'), ('test', 'Test message')], max_length=32, verbose_name='kind'),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
