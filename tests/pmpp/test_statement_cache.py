"""psycopg keeps the parsing of every INSERT the models make, the widest included (pmpp.apps)."""

from django.apps import apps
from psycopg import _queries


def test_the_widest_models_insert_is_parsed_once_per_process():
    widest = max(len(model._meta.concrete_fields) for model in apps.get_models())
    assert widest > 50, "psycopg's own limit would then be enough"
    assert widest <= _queries.MAX_CACHED_STATEMENT_PARAMS
    template, params = _insert_of(widest)
    _queries._query2pg_client.cache_clear()

    for _ in range(2):
        _queries.PostgresClientQuery(_Transformer()).convert(template, params)

    assert _queries._query2pg_client.cache_info().hits == 1


class _Transformer:
    """What PostgresClientQuery reads of a connection's transformer."""

    encoding = "utf-8"

    def as_literal(self, value):
        return b"'" + str(value).encode() + b"'"


def _insert_of(width: int) -> tuple[bytes, list[int]]:
    columns = ", ".join(f'"c{n}"' for n in range(width))
    return f'INSERT INTO "t" ({columns}) VALUES ({", ".join(["%s"] * width)})'.encode(), list(range(width))  # noqa: S608 — a made-up statement, never run
