"""The foundation: settings from the environment, assets served by the app, no CDN."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)


def run_settings(env: dict) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "clusterdx.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = run_settings({})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_runs_without_a_secret_key():
    result = run_settings({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_database_url_selects_the_database():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "clusterdx.settings",
            "DATABASE_URL": "postgres://someone@db.example:5432/clusterdx",
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "clusterdx"]


@pytest.mark.parametrize(
    "path",
    [
        "bootstrap/css/bootstrap.min.css",
        "bootstrap/js/bootstrap.bundle.min.js",
        "vendor/plotly/plotly.min.js",
        "css/clusterdx.css",
    ],
)
def test_assets_are_found_in_installed_packages_or_the_project(path):
    assert finders.find(path), path


def test_plotly_js_served_is_the_version_plotly_py_expects():
    from plotly.offline import get_plotlyjs_version

    head = Path(finders.find("vendor/plotly/plotly.min.js")).read_text()[:200]
    assert f"plotly.js v{get_plotlyjs_version()}" in head


def test_no_template_or_static_file_loads_anything_from_another_host():
    pattern = re.compile(r"""(src|href)=["'](https?:)?//""")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("templates", "static")
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and pattern.search(path.read_text(errors="ignore"))
    ]
    assert offenders == []


@pytest.mark.django_db
def test_pages_reference_only_local_assets(client):
    html = client.get(reverse("cases:list")).content.decode()
    assets = re.findall(r"""(?:src|href)=["']([^"']+\.(?:js|css))["']""", html)
    assert assets and all(
        a.startswith(settings.STATIC_URL) or a.startswith("/static/") for a in assets
    )


@pytest.mark.django_db
def test_navigation_offers_every_section(client):
    html = client.get(reverse("home")).content.decode()
    for label in ("Cases", "Compare", "Assess", "Method", "Admin"):  # signed out: Admin shows
        assert f">{label}<" in html
