"""A fixed random record key per participant, for the cell-key perturbation of
union reports (common.cellkey); existing women each get their own."""

from django.db import migrations, models

import common.cellkey


def fill(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    from common.cellkey_migration import fill_record_keys

    fill_record_keys(schema_editor, "screening_participant")


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0008_campaign_places_taken"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="report_key",
            field=models.PositiveIntegerField(
                default=common.cellkey.new_record_key,
                editable=False,
                verbose_name="report key",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
