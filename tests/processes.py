"""For tests that start another process (a task worker, a script) on the test database."""

from urllib.parse import quote

from django.db import connection


def subprocess_database_url() -> str:
    """DATABASE_URL of the test database, as another process would be given it (PostgreSQL)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    host = db["HOST"] or db["OPTIONS"].get("host", "")
    port = db["PORT"] or db["OPTIONS"].get("port", "")
    if host.startswith("/"):  # a socket folder
        return f"postgres://{credentials}@/{db['NAME']}?host={quote(host)}" + (f"&port={port}" if port else "")
    return f"postgres://{credentials}@{host}{f':{port}' if port else ''}/{db['NAME']}"
