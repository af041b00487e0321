"""Fewer and narrower indexes on the outbox: each send rewrites its row three
times, and each rewrite adds an entry to every index whose condition the new row
meets. `recipient_hash` is found through notification_phone_day_idx; nothing
searches hashes or provider ids with LIKE; only claimed rows are reclaimed, and
only rows with a provider id are matched to receipts."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_notification_not_after"),
    ]

    # The new indexes first, so that no question is ever asked without one.
    operations = [
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(status__in=["queued", "sending"]),
                fields=["status", "claimed_at"],
                name="notification_claimed_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=~models.Q(provider_message_id=""),
                fields=["provider_message_id"],
                name="notification_provider_id_idx",
            ),
        ),
        migrations.RemoveIndex(
            model_name="notification",
            name="notificatio_status_ec1a17_idx",
        ),
        migrations.AlterField(
            model_name="notification",
            name="provider_message_id",
            field=models.CharField(
                blank=True, max_length=128, verbose_name="provider message id"
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="recipient_hash",
            field=models.CharField(max_length=64, verbose_name="phone hash"),
        ),
    ]
