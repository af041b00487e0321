"""A fixed random record key per appointment, for the cell-key perturbation of
union reports (common.cellkey), and the rollup re-installed to sum the keys of
what it counts (scheduling/reports/rollup.py)."""

from django.db import migrations, models

import common.cellkey


def fill(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    from common.cellkey_migration import fill_record_keys

    fill_record_keys(schema_editor, "scheduling_appointment")


def install(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    from scheduling.reports.rollup import install

    install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0005_count_campaign_places"),
        ("screening", "0009_reports_participant_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="report_key",
            field=models.PositiveIntegerField(
                default=common.cellkey.new_record_key,
                editable=False,
                verbose_name="report key",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
