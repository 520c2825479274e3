"""Settings come from the environment and fail loudly when production would be unsafe."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _settings_in_subprocess(env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    ours = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "DB_PREPARED_STATEMENTS"}
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    code = f"import json, pmpp.settings as s; print(json.dumps({expression}, default=str))"
    return subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_missing_secret_key_with_debug_off_is_a_clear_configuration_error():
    result = _settings_in_subprocess({"DEBUG": "0"}, "s.DEBUG")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked():
    off = _settings_in_subprocess({"SECRET_KEY": "x" * 50}, "s.DEBUG")
    on = _settings_in_subprocess({"DEBUG": "1"}, "s.DEBUG")
    assert json.loads(off.stdout) is False
    assert json.loads(on.stdout) is True


def test_database_url_selects_postgresql_with_a_connection_pool():
    result = _settings_in_subprocess(
        {
            "SECRET_KEY": "x" * 50,
            "DATABASE_URL": "postgres://pmpp:secret@db.internal:5432/pmpp",
            "DB_POOL_MAX_SIZE": "7",
        },
        "s.DATABASES['default']",
    )
    database = json.loads(result.stdout)
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["HOST"] == "db.internal"
    assert database["OPTIONS"]["pool"]["max_size"] == 7


def test_prepared_statements_unless_turned_off():
    env = {"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://pmpp:secret@db.internal:5432/pmpp"}
    on = json.loads(_settings_in_subprocess(env, "[s.PMPP_PREPARED_STATEMENTS, s.DATABASES['default']]").stdout)
    off = json.loads(
        _settings_in_subprocess(env | {"DB_PREPARED_STATEMENTS": "0"}, "s.PMPP_PREPARED_STATEMENTS").stdout
    )
    assert on[0] is True
    assert off is False
    # Django's defaults stay: parameters bound on the client, nothing prepared by count
    # (pmpp.prepared turns both on for the API intake only).
    assert "server_side_binding" not in on[1]["OPTIONS"]
    assert on[1]["OPTIONS"]["prepare_threshold"] is None
    assert on[1]["OPTIONS"]["pool"]["max_size"] == 10


def test_sqlite_file_is_the_default_database():
    result = _settings_in_subprocess({"SECRET_KEY": "x" * 50}, "s.DATABASES['default']")
    database = json.loads(result.stdout)
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"].endswith("db.sqlite3")


def test_locale_and_time_zone_are_moroccan_french_first():
    assert settings.TIME_ZONE == "Africa/Casablanca"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "fr"
    assert [code for code, _ in settings.LANGUAGES] == ["fr", "ar"]


def test_allowed_hosts_come_from_the_environment():
    result = _settings_in_subprocess(
        {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "pmpp.gov.ma, backoffice.local"}, "s.ALLOWED_HOSTS"
    )
    assert json.loads(result.stdout) == ["pmpp.gov.ma", "backoffice.local"]
