"""A history row copied by the database from the row just written (the hottest writes only).

django-simple-history writes a model's history row from the instance after each save: it
builds the historical instance (one attribute per column) and saves it through the ORM, which
compiles an INSERT of every column again. For a grievance, 79 columns: 0.7 ms of CPU on each
registration, the API intake's largest single cost after the grievance's own INSERT.

`insert_history_from_row` writes the same row in one INSERT … SELECT that the database fills
from the tracked row: the columns simple-history would copy from the instance (the row was
just written from it, so they hold the same values), and the history's own columns — its
date, type, author, reason, and any extra field of the history model (a grievance's
`transition`) — as parameters. The statement is built once per model. The caller saves with
simple-history's own switch off (`skip_history_when_saving`), then calls this in the same
transaction; the audit chain's triggers (pmpp.audit_chain) see the row as they see any other.

What it does not do: send simple-history's pre_create_historical_record and
post_create_historical_record signals (so a receiver that fills an extra field must have its
value passed here instead), nor write many-to-many history.
"""

import functools

from django.db import connections, router
from django.db.models import Model
from django.utils import timezone

_HISTORY_COLUMNS = ("history_date", "history_type", "history_user_id", "history_change_reason")


def insert_history_from_row(instance: Model, *, history_type: str, user, reason: str, **extras) -> None:
    """Write `instance`'s history row (`history_type` "+" or "~") from its row in the database.

    `extras` names the history model's extra fields (a grievance's `transition`); each must be
    given, as simple-history's signals would otherwise have filled them.
    """
    model = type(instance)
    using = router.db_for_write(model, instance=instance)
    sql, extra_names = _statement(model, using)
    if set(extras) != set(extra_names):
        raise TypeError(f"{model.__name__} history needs {sorted(extra_names)}, got {sorted(extras)}")
    values = {
        "history_date": getattr(instance, "_history_date", None) or timezone.now(),
        "history_type": history_type,
        "history_user_id": getattr(user, "pk", None),
        "history_change_reason": reason,
    }
    params = [*(values[name] for name in _HISTORY_COLUMNS), *(extras[name] for name in extra_names), instance.pk]
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)


@functools.cache
def _statement(model: type[Model], using: str) -> tuple[str, tuple[str, ...]]:
    """(INSERT … SELECT of `model`'s history row, names of the history model's extra fields)."""
    history = model.history.model
    quote = connections[using].ops.quote_name
    tracked = {field.attname: field for field in model._meta.concrete_fields}
    copied, extra_names = [], []
    for field in history._meta.concrete_fields:
        if field.attname == "history_id" or field.attname in _HISTORY_COLUMNS:
            continue
        if field.attname in tracked:
            copied.append((field.column, tracked[field.attname].column))
        else:
            extra_names.append(field.attname)
    own = [history._meta.get_field(name).column for name in _HISTORY_COLUMNS]
    extra = [history._meta.get_field(name).column for name in extra_names]
    columns = ", ".join(quote(column) for column in [*(target for target, _source in copied), *own, *extra])
    selected = ", ".join([*(quote(source) for _target, source in copied), *(["%s"] * (len(own) + len(extra)))])
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({columns}) "  # noqa: S608 — the models' own names
        f"SELECT {selected} FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} = %s"
    )
    return sql, tuple(extra_names)
