"""Production settings pass Django's deployment check, warnings included (issue 9, item 1)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What an operator sets in production (README § Configuration): DEBUG off, a real secret key,
# HTTPS on, a real mail server.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "HTTPS": "1",
    "ALLOWED_HOSTS": "pmpp.example.ma",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "smtp.example.ma",
}
# The test run's own settings stay out (tests/conftest.py allows async-unsafe ORM calls).
_INHERITED = {
    "DEBUG",
    "SECRET_KEY",
    "HTTPS",
    "ALLOWED_HOSTS",
    "EMAIL_BACKEND",
    "STATIC_MANIFEST",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
_HSTS_CHOICES = {"HSTS_SECONDS", "HSTS_INCLUDE_SUBDOMAINS", "HSTS_PRELOAD"}


def _deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in _INHERITED | _HSTS_CHOICES}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_production_settings_pass_the_deployment_check_with_no_warning():
    result = _deploy_check(PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_https_the_deployment_check_fails_on_the_missing_protections():
    result = _deploy_check({k: v for k, v in PRODUCTION.items() if k != "HTTPS"})

    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


def test_a_console_mailer_in_production_fails_the_deployment_check():
    result = _deploy_check({k: v for k, v in PRODUCTION.items() if k != "EMAIL_BACKEND"})

    assert result.returncode != 0
    assert "mail.E001" in result.stderr
