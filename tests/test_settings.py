"""Production settings: `check --deploy` is clean under the documented environment, plain HTTP
is sent to HTTPS, the proxy case is honoured, and mail and throttling come from the
environment. Settings are read once per process, so the environment cases run manage.py."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def documented_production_env() -> dict:
    """The variables .env.example sets, with a real random key in place of its placeholder."""
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    values["SECRET_KEY"] = secrets.token_urlsafe(50)
    return values


def manage(*args, env: dict) -> subprocess.CompletedProcess:
    # A clean environment: nothing from pytest-env's test values leaks into "production".
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_under(env: dict, *names: str) -> dict:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: str(getattr(settings, n, None)) for n in {list(names)!r}}}))"
    )
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_under_the_documented_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=documented_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_https_is_switched_off():
    # The check above can fail: these are what it would report without the production defaults.
    env = {**documented_production_env(), "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_production_defaults_and_the_proxy_header():
    values = settings_under(
        documented_production_env(),
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER",
        "PASSWORD_RESET_BY_EMAIL",
        "EMAIL_BACKEND",
        "AXES_FAILURE_LIMIT",
        "AXES_COOLOFF_TIME",
    )
    assert values == {
        "SECURE_SSL_REDIRECT": "True",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
        "SECURE_PROXY_SSL_HEADER": "('HTTP_X_FORWARDED_PROTO', 'https')",
        # No EMAIL_URL in production: no mail is sent, so reset by email is not offered.
        "PASSWORD_RESET_BY_EMAIL": "False",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "AXES_FAILURE_LIMIT": "5",
        "AXES_COOLOFF_TIME": "0:15:00",
    }


def test_mail_and_throttling_come_from_the_environment():
    env = {
        **documented_production_env(),
        "EMAIL_URL": "smtp://mailer:s3cret@mail.example.org:587/?tls=True",
        "AXES_FAILURE_LIMIT": "8",
        "AXES_COOLOFF_MINUTES": "45",
    }
    values = settings_under(
        env,
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_USE_TLS",
        "PASSWORD_RESET_BY_EMAIL",
        "AXES_FAILURE_LIMIT",
        "AXES_COOLOFF_TIME",
    )
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": "587",
        "EMAIL_USE_TLS": "True",
        "PASSWORD_RESET_BY_EMAIL": "True",
        "AXES_FAILURE_LIMIT": "8",
        "AXES_COOLOFF_TIME": "0:45:00",
    }


def test_development_prints_mail_on_the_console_and_offers_reset():
    values = settings_under({"DEBUG": "1"}, "EMAIL_BACKEND", "PASSWORD_RESET_BY_EMAIL")
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "PASSWORD_RESET_BY_EMAIL": "True",
    }


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/cases/")
    assert response.status_code == 301 and response.url == "https://testserver/cases/"


@pytest.mark.django_db
def test_behind_the_proxy_https_requests_are_served_with_hsts(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/cases/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_a_sqlite_database_waits_for_a_lock_and_writes_ahead(tmp_path):
    """The server, the worker and a command share the SQLite file: they wait for each other's
    write lock (instead of "database is locked") and take it when a transaction starts."""
    env = {"DEBUG": "1", "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    code = "import json; from django.conf import settings as s; " \
        "print(json.dumps(s.DATABASES['default']['OPTIONS']))"  # fmt: skip
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout.strip().splitlines()[-1])
    assert options["timeout"] >= 10 and options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
