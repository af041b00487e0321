"""A list of small integers that is a PostgreSQL array where the programme runs
and JSON text on SQLite, where `make run` runs (docs/adr/0011): the lab
import's set-based SQL needs the array, the embedded database has none."""

import json
from typing import Any

from django.contrib.postgres.fields import ArrayField


class SmallIntList(ArrayField):
    """ArrayField on PostgreSQL, unchanged there; a JSON list elsewhere."""

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "postgresql":
            return super().db_type(connection)
        return "text"

    def cast_db_type(self, connection: Any) -> str | None:
        if connection.vendor == "postgresql":
            return super().cast_db_type(connection)
        return "text"

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        # The array's "::type[]" cast is PostgreSQL's syntax alone.
        if connection.vendor == "postgresql":
            return super().get_placeholder(value, compiler, connection)
        return "%s"

    def get_db_prep_value(
        self, value: Any, connection: Any, prepared: bool = False
    ) -> Any:
        if connection.vendor == "postgresql":
            return super().get_db_prep_value(value, connection, prepared)
        return None if value is None else json.dumps([int(v) for v in value])

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if isinstance(value, str) and connection.vendor != "postgresql":
            return json.loads(value)
        return value
