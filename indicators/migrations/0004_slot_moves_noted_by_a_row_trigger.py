"""The facts' triggers re-installed (indicators/facts.py): a slot's move is
noted by a row trigger that a booking's rewrite of the slot's count of places
never calls, where the statement trigger kept every rewritten row to compare."""

from django.db import migrations


def forwards(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    from indicators.facts import install

    install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0003_facts_kept_by_triggers"),
        ("scheduling", "0007_rollup_triggers_skip_counter_rewrites"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
