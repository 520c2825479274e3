"""Every URL of the URLconf against every role and the anonymous visitor (issue 9, item 2).

The expected answers live in tests/security/access_matrix.py. A URL missing from it fails
(new routes fail closed), and so does a row naming a URL that no longer exists. Each URL is
one test: every role asks it with GET, then with POST, through real requests of the Django
test client; a POST a role is refused must leave the database as it was.
"""

import os
from collections.abc import Iterator

import pytest
from django.contrib import messages
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.access_matrix import ANONYMOUS, MATRIX, ROLE_CODES, Access, World

ALLOWED, DENIED, NOT_ALLOWED_METHOD = "allowed", "denied", "405"
LOGIN_PATHS = ("/connexion/", "/admin/login/")
# Rows that change on every request whatever the outcome: sessions, the lockout log.
_NOT_FINGERPRINTED = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}


def urlconf_names() -> dict[str, str]:
    """Every route of the URLconf: its namespaced name (its route when it has none) → route."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
                found[name or route] = route

    walk(get_resolver().url_patterns, "", None)
    return found


URLCONF = urlconf_names()


def test_every_url_of_the_urlconf_has_a_row_in_the_matrix():
    missing = sorted(set(URLCONF) - set(MATRIX))
    assert not missing, f"URL(s) absent from tests/security/access_matrix.py (who may open them?): {missing}"


def test_every_row_of_the_matrix_names_an_existing_url():
    stale = sorted(set(MATRIX) - set(URLCONF))
    assert not stale, f"Row(s) of the access matrix naming no URL any more: {stale}"


# --- the world: users and objects built once for the module ----------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """Built once, inside a transaction rolled back after the module: each test runs in a savepoint."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        yield World()
        transaction.set_rollback(True)


_FINGERPRINT_SQL: list[str] = []


def _field_kind(column) -> str:
    try:
        return connection.introspection.get_field_type(column.type_code, column)
    except KeyError:  # a type no Django field maps (the audit chain's staging xid8): not an id
        return ""


def _fingerprint() -> list[tuple]:
    """(rows, highest id) of every table: any insert, delete, or audited update moves it."""
    if not _FINGERPRINT_SQL:
        queries = []
        with connection.cursor() as cursor:
            for table in sorted(set(connection.introspection.table_names(cursor)) - _NOT_FINGERPRINTED):
                description = connection.introspection.get_table_description(cursor, table)
                kinds = {c.name: _field_kind(c) for c in description}
                numeric = {name for name, kind in kinds.items() if "Integer" in kind or "Auto" in kind}
                pk = next((c for c in ("history_id", "id") if c in numeric), None)
                top = f"MAX({connection.ops.quote_name(pk)})" if pk else "0"
                # Table names come from the database's own catalogue, not from any input.
                quoted = connection.ops.quote_name(table)
                queries.append(f"SELECT '{table}', COUNT(*), {top} FROM {quoted}")  # noqa: S608
        _FINGERPRINT_SQL.append(" UNION ALL ".join(queries))
    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT_SQL[0])
        return sorted(cursor.fetchall())


def _client(world: World, role: str, row: Access) -> Client:
    client = Client()
    if role == ANONYMOUS:
        return client
    if row.api:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {world.tokens[role]}"
    else:
        client.force_login(world.users[role])
    return client


def classify(response, *, login_is_success: bool = False) -> str:
    """allowed, denied or 405, from the answer alone (and the messages a refusal leaves)."""
    status = response.status_code
    if status == 405:
        return NOT_ALLOWED_METHOD
    if status in (401, 403, 404):
        return DENIED
    if 300 <= status < 400:
        if response.url.split("?")[0].endswith(LOGIN_PATHS) and not login_is_success:
            return DENIED
        # A refusal that sends the user back to the page they came from, with the reason (or,
        # from the admin, "this object does not exist", a warning).
        if any(m.level >= messages.WARNING for m in messages.get_messages(response.wsgi_request)):
            return DENIED
        return ALLOWED
    assert status < 500, f"server error {status}"
    return ALLOWED


def _ask(world: World, role: str, row: Access, url: str, method: str) -> tuple[str, bool]:
    """(outcome, whether the database changed), the request's writes rolled back afterwards."""
    client = _client(world, role, row)
    with transaction.atomic():
        before = _fingerprint() if method == "POST" else None
        if method == "GET":
            response = client.get(url, row.query)
        elif row.api:
            body = row.data(world) if row.data else {}
            response = client.post(url, body, content_type="application/json")
        else:
            response = client.post(url, row.data(world) if row.data else {})
        changed = before is not None and _fingerprint() != before
        transaction.set_rollback(True)
    return classify(response, login_is_success=row.login_is_success), changed


def _url(name: str, row: Access, world: World) -> str:
    kwargs = row.kwargs(world) if row.kwargs else {}
    if "/" in name or "." in name:
        # An unnamed route, keyed by its path: fill its one argument, or the catch-all's.
        path = name.replace("<path:object_id>", kwargs.get("object_id", "0"))
        return "/" + path.replace("(?P<url>.*)$", "introuvable/")
    if row.args:
        return reverse(name, args=row.args(world))
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_the_url_answers_each_role_as_the_matrix_says(name, world, db):
    row = MATRIX[name]
    url = _url(name, row, world)
    wrong = []
    post_seen = False
    for role in (*ROLE_CODES, ANONYMOUS):
        got, _changed = _ask(world, role, row, url, "GET")
        post, changed = NOT_ALLOWED_METHOD, False
        if row.probe_post or got == NOT_ALLOWED_METHOD:
            post, changed = _ask(world, role, row, url, "POST")
        if post == ALLOWED and role not in row.post_roles and row.refusal_in_form and not changed:
            post = DENIED  # refused, the form shown again with the reason
        if got == NOT_ALLOWED_METHOD:
            got = post
        if post != NOT_ALLOWED_METHOD:
            post_seen = True
            expected_post = ALLOWED if role in row.post_roles else DENIED
            if post != expected_post:
                wrong.append(f"{role}: POST {post}, expected {expected_post}")
            if post == DENIED and changed:
                wrong.append(f"{role}: POST refused but the database changed")
        expected = ALLOWED if role in row.roles else DENIED
        if got != expected and got != NOT_ALLOWED_METHOD:
            wrong.append(f"{role}: GET {got}, expected {expected}")
    if os.environ.get("ACCESS_MATRIX_DISCOVER"):
        print(f"\n{name}: {'; '.join(wrong) or 'ok'} (post seen: {post_seen})")
        return
    assert not wrong, f"{url}\n" + "\n".join(wrong)
