"""Turnout rollup: a table of counts kept current by PostgreSQL triggers, so the
union dashboard reads days x groups rows instead of every appointment. See
scheduling/reports/rollup.py. Nothing happens on other databases."""

from django.db import migrations


def forwards(apps, schema_editor):
    from scheduling.reports.rollup import install

    install(schema_editor)


def backwards(apps, schema_editor):
    from scheduling.reports.rollup import uninstall

    uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0003_site_walk_in_capacity"),
        ("screening", "0006_seed_result_codes_and_rules"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
