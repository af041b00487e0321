"""The dedupe key unique by one index that also answers prefix lookups, where
`unique=True` kept two: every outbox insert and rewrite wrote to both."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0014_merge_channel_chain'),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='dedupe_key',
            field=models.CharField(max_length=200, verbose_name='dedupe key'),
        ),
        migrations.AddConstraint(
            model_name='notification',
            constraint=models.UniqueConstraint(fields=('dedupe_key',), name='notification_one_per_dedupe_key', opclasses=['varchar_pattern_ops']),
        ),
    ]
