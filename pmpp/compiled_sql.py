"""Statements that every API request runs, compiled once per process instead of on each request.

For a one-row lookup the ORM spends more CPU building and compiling the statement (the
queryset, its joins, every column) than PostgreSQL spends answering it: about 0.3 ms per
model read against 0.1 ms, and 0.6 ms to compile the grievance's 76-column INSERT
(bench/INTAKE-PROFILE.md). `JoinedRead` keeps the SQL of such a read, and turns each row into
model instances as the ORM would: every concrete field, the backend's and the fields'
converters applied (aware datetimes, booleans on SQLite), the instances marked as read from
that database, each related one attached to the first. `insert_instance` is
`save(force_insert=True)` with the INSERT compiled once per model.
"""

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connections, router, transaction
from django.db.models import Model, signals


def _orm_converters(column, connection) -> tuple:
    """The converters the ORM applies to a column read back (the backend's, then the field's)."""
    return tuple(connection.ops.get_db_converters(column) + column.get_db_converters(connection))


@dataclass(frozen=True)
class JoinedRead:
    sql: str
    params: tuple  # the extra columns' own, before the caller's
    models: tuple[tuple[type[Model], tuple[str, ...]], ...]  # each model with the attnames read, in order
    converters: tuple[tuple[int, tuple, object], ...]  # (column, converters, expression), as the ORM applies them
    relations: tuple[str, ...]  # the first model's attribute that holds each following model

    def rows(self, using: str, params: Sequence) -> list[tuple]:
        """Each row as (first instance, its extra column values...)."""
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [*self.params, *params])
            rows = cursor.fetchall()
        return [self._instances(using, connection, row) for row in rows]

    def first(self, using: str, params: Sequence):
        found = self.rows(using, params)
        return found[0] if found else None

    def _instances(self, using: str, connection, row) -> tuple:
        values = list(row)
        for index, converters, expression in self.converters:
            for converter in converters:
                values[index] = converter(values[index], expression, connection)
        instances, start = [], 0
        for model, names in self.models:
            instances.append(model.from_db(using, names, values[start : start + len(names)]))
            start += len(names)
        first = instances[0]
        for relation, related in zip(self.relations, instances[1:], strict=True):
            setattr(first, relation, related)
        return (first, *values[start:])


def joined_read(
    using: str,
    model: type[Model],
    *,
    related: Sequence[str] = (),
    where: str,
    extra_columns: Sequence[tuple[str, Sequence]] = (),
) -> JoinedRead:
    """`model` with each of its non-null foreign keys in `related` joined (as `select_related`
    would: an INNER JOIN on the key), `extra_columns` ((sql, params), e.g. a compiled
    subquery) after them, filtered by `where`: SQL on the tables' own names, with `%s` for
    the parameters given to `rows()`. Compile it once (`functools.cache` on the caller)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    models, joins = [model], []
    for name in related:
        field = model._meta.get_field(name)
        if field.null:
            raise ValueError(f"{model.__name__}.{name} may be null: an INNER JOIN would drop rows.")
        target = field.related_model
        models.append(target)
        joins.append(
            f"INNER JOIN {quote(target._meta.db_table)} ON ({table}.{quote(field.column)} = "
            f"{quote(target._meta.db_table)}.{quote(field.target_field.column)})"
        )
    fields = [(m, f) for m in models for f in m._meta.concrete_fields]
    converters = []
    for index, (m, field) in enumerate(fields):
        column = field.get_col(m._meta.db_table)
        if found := _orm_converters(column, connection):
            converters.append((index, found, column))
    columns = [f"{quote(m._meta.db_table)}.{quote(f.column)}" for m, f in fields]
    params = []
    for sql, extra_params in extra_columns:
        columns.append(f"({sql})")
        params.extend(extra_params)
    return JoinedRead(
        sql=f"SELECT {', '.join(columns)} FROM {table} {' '.join(joins)} WHERE {where}",  # noqa: S608 — model tables
        params=tuple(params),
        models=tuple((m, tuple(f.attname for f in m._meta.concrete_fields)) for m in models),
        converters=tuple(converters),
        relations=tuple(related),
    )


def quoted(using: str, model: type[Model], field: str) -> str:
    """`"table"."column"` of a model's field, for the `where` of `joined_read`."""
    quote = connections[using].ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(field).column)}"


def insert_instance(instance: Model) -> None:
    """`instance.save(force_insert=True)`, with its INSERT compiled once per model.

    The same row as the ORM writes: each field's `pre_save` (auto_now_add), then its
    `get_db_prep_save`; the same signals (pre_save, post_save with created=True); the primary
    key, database defaults and generated columns read back. Compiling a 76-column INSERT cost the intake 0.6 ms
    of CPU. A model this does not cover (a `save()` of its own, inheritance,
    `order_with_respect_to`, a primary key set in advance) or a value that is an expression
    is saved by the ORM as before.
    """
    model = type(instance)
    meta = model._meta
    plain = model.save is Model.save and model.save_base is Model.save_base  # no save() of its own to run
    if not plain or meta.parents or meta.order_with_respect_to or instance._is_pk_set() or not meta.auto_field:
        instance.save(force_insert=True)
        return
    using = router.db_for_write(model, instance=instance)
    statement = _compile_insert(model, using)
    if statement is None or any(hasattr(getattr(instance, f.attname), "resolve_expression") for f in statement.fields):
        instance.save(force_insert=True)
        return
    instance._prepare_related_fields_for_save(operation_name="save")
    signals.pre_save.send(sender=model, instance=instance, raw=False, using=using, update_fields=None)
    connection = connections[using]
    values = [
        field.get_db_prep_save(field.pre_save(instance, add=True), connection=connection) for field in statement.fields
    ]
    with transaction.mark_for_rollback_on_error(using=using), connection.cursor() as cursor:
        cursor.execute(statement.sql, values)
        if statement.returning:
            returned = cursor.fetchone()
        else:
            returned = (connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column),)
    for field, value in zip(statement.returning_fields, returned, strict=True):
        column = field.get_col(meta.db_table)
        for converter in statement.converters.get(field.attname, ()):
            value = converter(value, column, connection)
        setattr(instance, field.attname, value)
    instance._state.db = using
    instance._state.adding = False
    signals.post_save.send(sender=model, instance=instance, created=True, update_fields=None, raw=False, using=using)


@dataclass(frozen=True)
class _Insert:
    sql: str
    fields: tuple  # the columns written, in order
    returning_fields: tuple  # read back: the primary key, database defaults, generated columns
    returning: bool  # read back by RETURNING (else the last insert id: the primary key alone)
    converters: dict  # attname → the converters of a returned column, as the ORM applies them


@functools.cache
def _compile_insert(model: type[Model], using: str) -> _Insert | None:
    meta = model._meta
    connection = connections[using]
    # Generated columns are computed by the database, and read back with the primary key.
    fields = tuple(f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated)
    if any(getattr(f, "get_placeholder_sql", None) or getattr(f, "get_placeholder", None) for f in fields):
        return None  # a placeholder of its own (geometries): the ORM's compiler knows it
    returning_fields = tuple(meta.db_returning_fields)
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608 — columns
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    returning = connection.features.can_return_columns_from_insert
    if returning:
        returning_sql, returning_params = connection.ops.returning_columns(returning_fields)
        if returning_params:
            return None  # a backend that binds the returned columns (Oracle): the ORM's compiler knows it
        sql += f" {returning_sql}"
    elif returning_fields != (meta.pk,):
        return None  # database defaults to read back, and no RETURNING to read them with
    converters = {}
    for field in returning_fields:
        if found := _orm_converters(field.get_col(meta.db_table), connection):
            converters[field.attname] = found
    return _Insert(
        sql=sql, fields=fields, returning_fields=returning_fields, returning=returning, converters=converters
    )
