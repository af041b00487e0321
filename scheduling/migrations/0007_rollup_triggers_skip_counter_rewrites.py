"""The rollup re-installed (scheduling/reports/rollup.py): its emitter in
PL/pgSQL and its age band inlinable, so a booking's trigger plans neither
afresh; the slot's and the campaign's triggers called only when what they count
by has changed, not on every rewrite of a counter of places."""

from django.db import migrations


def install(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    from scheduling.reports.rollup import install

    install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0006_reports_appointment_key")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
