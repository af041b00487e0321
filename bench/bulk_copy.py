"""COPY rows into a table for a benchmark's bulk load, filling what the bench does
not name from the models, so that a new column with a default never stops a
benchmark again and a new required one without a default stops it at once, by name.

Call after django.setup().
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

from django.apps import apps
from django.db import connection, models


def table_columns(table: str) -> dict[str, bool]:
    """Column name -> whether a value must be given (NOT NULL, no default)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, is_nullable = 'NO' AND column_default IS NULL "
            "FROM information_schema.columns WHERE table_name = %s",
            [table],
        )
        return dict(cursor.fetchall())


def copy_text(field: models.Field, value: object) -> str:
    """`value` of `field` in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(field, models.JSONField):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(field, models.BooleanField):
        text = "t" if value else "f"
    else:
        text = str(field.get_prep_value(value))
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def model_defaults(table: str, columns: list[str]) -> dict[str, str]:
    """The model's default, as COPY text, of each of `columns` that has one.

    Columns a migration adds with a default keep it only in the model (Django drops
    the database default once the rows are filled), so the loader asks the model:
    a new counter or flag with a default never stops the bench again."""
    model = next((m for m in apps.get_models() if m._meta.db_table == table), None)
    if model is None:
        return {}
    fields = {f.column: f for f in model._meta.concrete_fields}
    return {
        column: copy_text(fields[column], fields[column].get_default())
        for column in columns
        if column in fields and fields[column].has_default()
    }


def copy_rows(table: str, values: dict[str, object], rows: Iterator[tuple]) -> None:
    """COPY rows whose fields follow `values`' keys; columns the table lacks are
    dropped, required columns nobody fills take the model's default, and a required
    column with neither is an error worth seeing."""
    existing = table_columns(table)
    unfilled = [c for c, required in existing.items() if required and c not in values]
    defaults = model_defaults(table, unfilled)
    missing = [c for c in unfilled if c not in defaults]
    if missing:
        raise SystemExit(f"{table}: no value for required columns {missing}")
    names = list(values)
    keep = [i for i, name in enumerate(names) if name in existing]
    columns = ", ".join(f'"{name}"' for name in [*(names[i] for i in keep), *defaults])
    tail = "".join("\t" + text for text in defaults.values())
    raw = connection.connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        buffer = io.StringIO()
        for n, row in enumerate(rows, 1):
            buffer.write("\t".join(row[i] for i in keep))
            buffer.write(tail)
            buffer.write("\n")
            if n % 50_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    raw.commit()
