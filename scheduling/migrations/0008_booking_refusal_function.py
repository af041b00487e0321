"""The function a booking's one statement calls to undo itself when the
campaign has no funded place left (scheduling.booking_statements.booking_write,
ADR 0024). PostgreSQL only: elsewhere a booking's writes are several
statements in a transaction."""

from django.db import migrations


def install(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    from scheduling.booking_statements import REFUSE_FUNCTION_SQL

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFUSE_FUNCTION_SQL, params=None)


def remove(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS scheduling_refuse(text)")


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0007_rollup_triggers_skip_counter_rewrites")]

    operations = [migrations.RunPython(install, remove)]
