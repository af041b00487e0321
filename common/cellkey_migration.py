"""Filling the record keys of rows that existed before `common.cellkey`, for the
migrations that add them. One UPDATE, drawn by the database, so a million rows
take seconds; PostgreSQL's gen_random_uuid() comes from its strong random source.
"""

from __future__ import annotations

from typing import Any

_POSTGRESQL = (
    "UPDATE {table} SET report_key = "
    "('x' || substr(md5(gen_random_uuid()::text), 1, 8))::bit(32)::integer "
    "& 2147483647"
)
_OTHER = "UPDATE {table} SET report_key = abs(random()) % 2147483648"


def fill_record_keys(schema_editor: Any, table: str) -> None:
    """Give every row of ``table`` its own random record key."""
    if not table.replace("_", "").isalnum():
        raise ValueError("Unexpected table name.")
    template = (
        _POSTGRESQL if schema_editor.connection.vendor == "postgresql" else _OTHER
    )
    schema_editor.execute(template.format(table=table))
