"""Model rows read and written with hand-written SQL, for the few hot paths where
building the ORM's query costs more than running it (the booking surge: see
docs/adr/0007-the-booking-path-counts-statements-and-writes-them-out.md).

The column lists come from the models' own metadata and values pass through the
fields' own conversions (encryption included), so a row written here is the row
the ORM would have written, and an instance read here is the instance the ORM
would have built. Everything else in the project uses the ORM.
"""

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import Model

from common.crypto import Sealed

M = TypeVar("M", bound=Model)

_Converters = list[tuple[Any, list[Callable[..., Any]]]]
_converter_cache: dict[tuple[type[Model], str], _Converters] = {}
# An INSERT's fields, their quoted columns and their types for a cast.
_InsertShape = tuple[list[Any], list[str], list[str]]
_insert_cache: dict[tuple[type[Model], str, bool], _InsertShape] = {}


def _db() -> BaseDatabaseWrapper:
    return connections[DEFAULT_DB_ALIAS]


def _fields(model: type[Model]) -> list[Any]:
    return list(model._meta.concrete_fields)


@contextmanager
def hot_cursor() -> Iterator[CursorWrapper]:
    """A cursor for the statements written out here. On PostgreSQL with
    prepared statements on (DB_PREPARED_STATEMENTS) its values are bound by
    the server, so psycopg prepares a statement after a few runs on a
    connection and PostgreSQL plans it once per connection instead of once
    per request: planning the booking's slot read cost six times running it.
    Anywhere else, the connection's usual cursor."""
    db = _db()
    if (
        db.vendor != "postgresql"
        or db.settings_dict["OPTIONS"].get("prepare_threshold") is None
    ):
        with db.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        raw = ServerBindingCursor(db.connection)
    db.validate_thread_sharing()
    wrapped = db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)
    with wrapped as cursor:
        yield cursor


def literals(*values: str) -> str:
    """`'a', 'b'` for constants of our own (choices, never a request's values).
    Written into the SQL rather than bound, so that the planner can prove a
    condition implies a partial index's predicate even in a generic plan."""
    if not all(str(value).isidentifier() for value in values):
        raise ValueError(f"not a plain constant: {values!r}")
    return ", ".join(f"'{value}'" for value in values)


def column_list(model: type[Model], alias: str) -> str:
    """`alias."col", ...` for every concrete field of `model`, in field order: the
    order `instance_from_row` reads them back in."""
    quote = _db().ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in _fields(model))


def _converters(model: type[Model], db: BaseDatabaseWrapper) -> _Converters:
    """Per field: its column expression and the converters the ORM would apply to
    a value read from this database (the backend's, then the field's own)."""
    key = (model, db.vendor)
    if key not in _converter_cache:
        result = []
        for field in _fields(model):
            column = field.get_col(model._meta.db_table)
            converters = db.ops.get_db_converters(column) + field.get_db_converters(db)
            result.append((column, converters))
        _converter_cache[key] = result
    return _converter_cache[key]


def instance_from_row(
    model: type[M],
    row: Sequence[Any],
    start: int = 0,
    sealed: Collection[str] = (),
) -> tuple[M, int]:
    """An instance of `model` from `row[start:]` (columns as in `column_list`), and
    the offset after its columns.

    `sealed` names encrypted fields the caller will not read: they are not
    decrypted but left deferred (reading one loads it, as the ORM's `defer`
    does), and their stored tokens are kept for `sealed_value`."""
    db = _db()
    names, values, tokens = [], [], {}
    fields = _fields(model)
    for offset, (column, converters) in enumerate(_converters(model, db)):
        value = row[start + offset]
        name = fields[offset].attname
        if name in sealed:
            tokens[name] = Sealed(value) if value else None
            continue
        for convert in converters:
            value = convert(value, column, db)
        names.append(name)
        values.append(value)
    instance = model.from_db(DEFAULT_DB_ALIAS, names, values)
    instance._sealed_tokens = tokens  # type: ignore[attr-defined]
    return instance, start + len(fields)


def sealed_value(instance: Model, name: str) -> Sealed | None:
    """The stored token of `name` when `instance_from_row` left it sealed and
    nothing has loaded it since; None otherwise."""
    if name in instance.__dict__:
        return None
    return getattr(instance, "_sealed_tokens", {}).get(name)


def _insert_columns(
    model: type[Model], db: BaseDatabaseWrapper, *, with_pk: bool = False
) -> _InsertShape:
    """The fields an INSERT of `model` writes (the primary key only `with_pk`),
    their quoted columns and the types their values are cast to when they
    pass through a VALUES list."""
    key = (model, db.vendor, with_pk)
    if key not in _insert_cache:
        fields = [f for f in _fields(model) if with_pk or not f.primary_key]
        quote = db.ops.quote_name
        _insert_cache[key] = (
            fields,
            [quote(f.column) for f in fields],
            [_cast_type(f, db) for f in fields],
        )
    return _insert_cache[key]


def _cast_type(field: Any, db: BaseDatabaseWrapper) -> str:
    """The type a value of `field` is cast to on its way through a SELECT: a
    string stays text, so that the column's own length check still refuses
    a value too long (an explicit cast to varchar(n) would cut it short)."""
    cast = field.cast_db_type(db) or "text"
    return "text" if cast.startswith(("varchar", "char")) else cast


def _shared_columns(values: list[list[Any]]) -> tuple[int, ...]:
    """The columns whose value is the same, of the same type, in every row."""
    shared = []
    for index, column in enumerate(zip(*values, strict=True)):
        first, kind = column[0], type(column[0])
        if all(type(value) is kind and value == first for value in column[1:]):
            shared.append(index)
    return tuple(shared)


# Field classes (exactly these, not subclasses such as the encrypted ones) whose
# conversion to a PostgreSQL parameter hands back a value of these types, or
# None, as it is: their calls were a third of a booking's outbox insert.
_AS_THEY_ARE: dict[type, tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.BooleanField: (bool,),
    models.IntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.BigIntegerField: (int,),
    models.ForeignKey: (int,),
    models.DateTimeField: (datetime,),
}


def _as_param(field: Any, value: Any, db: BaseDatabaseWrapper) -> Any:
    """`field.get_db_prep_save(value, db)`, without its calls where it would
    return `value` unchanged (an aware datetime: a naive one is converted)."""
    kinds = _AS_THEY_ARE.get(type(field))
    if kinds is not None and db.vendor == "postgresql":
        if value is None:
            return None
        if type(value) in kinds and (
            type(value) is not datetime or value.utcoffset() is not None
        ):
            return value
    return field.get_db_prep_save(value, db)


def _plain_rows(
    db: BaseDatabaseWrapper, shape: _InsertShape, values: list[list[Any]]
) -> tuple[str, list[Any]]:
    fields, columns, _casts = shape
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    rows = ", ".join([placeholders] * len(values))
    params = [
        _as_param(field, row[i], db) for row in values for i, field in enumerate(fields)
    ]
    return f"({', '.join(columns)}) VALUES {rows}", params


@lru_cache(maxsize=256)
def _shared_rows_sql(shape_key: tuple, shared: tuple[int, ...], count: int) -> str:
    """The column list and rows of an INSERT whose `shared` columns are sent
    once, for `count` rows of the shape `_insert_cache[shape_key]`."""
    _fields, columns, casts = _insert_cache[shape_key]
    varying = [i for i in range(len(columns)) if i not in shared]
    # Cast in the SELECT: a NULL or a string in a VALUES list would be text.
    select = ", ".join(
        [f"CAST(%s AS {casts[i]})" for i in shared]
        + [f"CAST(v.c{i} AS {casts[i]})" for i in varying]
    )
    placeholders = "(" + ", ".join(["%s"] * len(varying)) + ")"
    rows = ", ".join([placeholders] * count)
    names = ", ".join(f"c{i}" for i in varying)
    order = ", ".join(columns[i] for i in [*shared, *varying])
    # A VALUES scan keeps its order, so RETURNING gives the keys in row order.
    return f"({order}) SELECT {select} FROM (VALUES {rows}) AS v({names})"  # noqa: S608  # nosec B608


def _rows_sql(
    db: BaseDatabaseWrapper, shape: _InsertShape, values: list[list[Any]]
) -> tuple[str, list[Any]]:
    """The column list, the rows' SQL and its parameters. On PostgreSQL a value
    every row shares is sent once: a booking's three outbox rows differ in a
    few columns of twenty-four, and psycopg parses a statement of 50
    parameters or fewer once per process instead of on every booking."""
    fields = shape[0]
    if db.vendor != "postgresql" or len(values) < 2:
        return _plain_rows(db, shape, values)
    shared = _shared_columns(values)
    if len(shared) == len(fields):
        return _plain_rows(db, shape, values)
    key = (fields[0].model, db.vendor, False)
    params = _shared_rows_params(db, fields, values, shared)
    return _shared_rows_sql(key, shared, len(values)), params


def _shared_rows_params(
    db: BaseDatabaseWrapper,
    fields: list[Any],
    values: list[list[Any]],
    shared: tuple[int, ...],
) -> list[Any]:
    """The parameters of `_shared_rows_sql`: the shared values once, then each
    row's others."""
    varying = [i for i in range(len(fields)) if i not in shared]
    params = [_as_param(fields[i], values[0][i], db) for i in shared]
    for row in values:
        params += [_as_param(fields[i], row[i], db) for i in varying]
    return params


def insert_returning_pk(objs: Sequence[Model]) -> None:
    """INSERT `objs` (all of one model) in one statement and set their primary
    keys, as `bulk_create` does, without the ORM's query building. Fields'
    `pre_save` runs, so `auto_now` stamps and encrypted columns are filled."""
    if not objs:
        return
    db = _db()
    model = type(objs[0])
    meta = model._meta
    shape = _insert_columns(model, db)
    values = [[field.pre_save(obj, add=True) for field in shape[0]] for obj in objs]
    into, params = _rows_sql(db, shape, values)
    table, pk = db.ops.quote_name(meta.db_table), db.ops.quote_name(meta.pk.column)
    # Names from the model's metadata, values bound: nothing from a request.
    sql = f"INSERT INTO {table} {into} RETURNING {pk}"  # nosec B608
    with hot_cursor() as cursor:
        cursor.execute(sql, params)
        keys = [row[0] for row in cursor.fetchall()]
    saved_as(objs, keys)


def saved_as(objs: Sequence[Model], keys: Sequence[Any]) -> None:
    """Mark `objs` as the stored rows of `keys`, in order, as a save does."""
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS


def insert_fed_by(objs: Sequence[Model], *, source: str) -> tuple[str, list[Any]]:
    """An INSERT of `objs` (all of one model, PostgreSQL only) that writes them
    only if `source`, an earlier part of the same WITH clause, yields a row:
    one part of a statement of several writes. Primary keys already set are
    written too. It RETURNs the keys in the order of `objs`."""
    db = _db()
    model = type(objs[0])
    with_pk = objs[0].pk is not None
    shape = _insert_columns(model, db, with_pk=with_pk)
    fields = shape[0]
    values = [[field.pre_save(obj, add=True) for field in fields] for obj in objs]
    # Every column goes through the SELECT's casts; one at least must vary.
    shared = _shared_columns(values) if len(values) > 1 else ()
    if len(shared) == len(fields):
        shared = shared[:-1]
    params = _shared_rows_params(db, fields, values, shared)
    rows = _shared_rows_sql((model, db.vendor, with_pk), shared, len(values))
    meta = model._meta
    table, pk = db.ops.quote_name(meta.db_table), db.ops.quote_name(meta.pk.column)
    # Names from the model's metadata and the caller's own part; values bound.
    sql = (
        f"INSERT INTO {table} {rows} WHERE EXISTS (SELECT 1 FROM {source})"  # noqa: S608  # nosec B608
        f" RETURNING {pk}"
    )
    return sql, params


@lru_cache(maxsize=64)
def _insert_after_sql(shape_key: tuple, condition: str) -> str:
    _fields, columns, casts = _insert_cache[shape_key]
    meta = shape_key[0]._meta
    quote = _db().ops.quote_name
    select = ", ".join(f"CAST(%s AS {cast})" for cast in casts)
    # Names from the models' metadata and the caller's own statement; values bound.
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    into = f"INSERT INTO {table} ({', '.join(columns)})"
    taken = f"WITH taken AS ({condition} RETURNING 1)"
    sql = f"{taken} {into} SELECT {select} FROM taken"  # noqa: S608  # nosec B608
    return f"{sql} RETURNING {pk}"


def insert_after(obj: Model, *, condition: str, params: Sequence[Any]) -> bool:
    """Run `condition`, an UPDATE of at most one row without RETURNING, and
    INSERT `obj` only if it changed that row; False, with nothing inserted,
    when it changed none. On PostgreSQL one statement (a booking's place and
    its appointment in one round trip), the UPDATE's row locked first, as the
    INSERT reads its result; elsewhere two statements."""
    db = _db()
    if db.vendor != "postgresql":
        with hot_cursor() as cursor:
            cursor.execute(condition, list(params))
            changed = cursor.rowcount == 1
        if changed:
            insert_returning_pk([obj])
        return changed
    model = type(obj)
    fields = _insert_columns(model, db)[0]
    values = [_as_param(field, field.pre_save(obj, add=True), db) for field in fields]
    with hot_cursor() as cursor:
        cursor.execute(
            _insert_after_sql((model, db.vendor, False), condition),
            [*params, *values],
        )
        row = cursor.fetchone()
    if row is None:
        return False
    saved_as([obj], [row[0]])
    return True
