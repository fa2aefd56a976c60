"""Derived library data is cached per data version, and every change of library data (a load,
each way the admin writes) shows on every page at once: never a stale value after a change.
A firm-table import on a case is not library data: it shows, to admins, at once too."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape

from cases.admin import VersionedAdmin
from cases.derived import derived, library_key
from cases.loading import load_fixtures
from cases.models import CaseStudy, LibraryVersion, Linkage
from tests.test_compare import compare_url

pytestmark = pytest.mark.django_db

SLUG = "tiruppur"


def library_pages() -> dict[str, str]:
    """Every page and payload that shows a library case's own data."""
    return {
        "case page": reverse("cases:detail", args=[SLUG]),
        "case list": reverse("cases:list"),
        "scorecard": reverse("checklist:case-scorecard", args=[SLUG]),
        "scorecard api": reverse("checklist:api-case-scorecard", args=[SLUG]),
        "case api": reverse("api:case-detail", args=[SLUG]),
        "case list api": reverse("api:case-list"),
        "compare": compare_url("sinos-valley", SLUG),
    }


def fetch_all(client) -> dict[str, str]:
    pages = {}
    for name, url in library_pages().items():
        response = client.get(url)
        assert response.status_code == 200, name
        pages[name] = response.content.decode("utf-8-sig")
    return pages


def admin_form_data(admin_client, url) -> dict:
    """What the admin's change form would post back unchanged."""
    form = admin_client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if hasattr(value, "pk"):
            value = value.pk
        data[name] = "" if value is None else value
    return data


def test_a_title_changed_in_the_admin_shows_on_every_page_at_once(admin_client, client):
    before = fetch_all(client)  # everything cached for the current data version
    assert all("Tiruppur" in html for html in before.values())
    case = CaseStudy.objects.get(slug=SLUG)
    url = reverse("admin:cases_casestudy_change", args=[case.pk])
    data = admin_form_data(admin_client, url)
    data["short_title"] = "Tiruppur knitwear, corrected"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    after = fetch_all(client)
    for name, html in after.items():
        assert "Tiruppur knitwear, corrected" in html, name


def test_a_row_deleted_in_the_admin_is_gone_from_the_pages_and_the_score(admin_client, client):
    api = reverse("api:case-detail", args=[SLUG])
    scorecard_api = reverse("checklist:api-case-scorecard", args=[SLUG])
    linkages_before = len(client.get(api).json()["linkages"])
    card_before = client.get(scorecard_api).json()
    tie = Linkage.objects.filter(case__slug=SLUG).exclude(strength="absent").first()
    page = reverse("cases:detail", args=[SLUG])
    assert escape(tie.description) in client.get(page).content.decode()
    response = admin_client.post(
        reverse("admin:cases_linkage_delete", args=[tie.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert len(client.get(api).json()["linkages"]) == linkages_before - 1
    assert client.get(scorecard_api).json() != card_before  # a tie fewer scores differently
    assert escape(tie.description) not in client.get(page).content.decode()


def test_rows_deleted_by_the_admins_bulk_action_are_gone_at_once(admin_client, client):
    api = reverse("api:case-detail", args=[SLUG])
    before = client.get(api).json()
    chosen = list(
        Linkage.objects.filter(case__slug=SLUG).values_list("pk", flat=True)[:2]
    )  # fmt: skip
    response = admin_client.post(
        reverse("admin:cases_linkage_changelist"),
        {"action": "delete_selected", "_selected_action": chosen, "post": "yes"},
    )
    assert response.status_code == 302
    assert len(client.get(api).json()["linkages"]) == len(before["linkages"]) - 2


def test_a_row_added_in_the_admin_shows_at_once(admin_client, client):
    case = CaseStudy.objects.get(slug=SLUG)
    page = reverse("cases:detail", args=[SLUG])
    assert "Knitters’ night school" not in client.get(page).content.decode()
    source = case.history.first()
    response = admin_client.post(
        reverse("admin:cases_historyevent_add"),
        {
            "case": case.pk,
            "cluster": source.cluster_id or "",
            "key": "night-school",
            "kind": source.kind,
            "year_from": source.year_from or "",
            "year_to": source.year_to or "",
            "period": source.period,
            "title": "Knitters’ night school",
            "description": "Added by a test.",
            "source": source.source_id,
            "locator": source.locator,
            "line_from": source.line_from,
            "line_to": source.line_to,
            "passage": source.passage,
            "citation": source.citation,
            "confidence": source.confidence,
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "Knitters’ night school" in client.get(page).content.decode()


def test_every_admin_of_library_data_moves_the_data_version(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "cases" and model is not LibraryVersion:
            writes = (
                model_admin.has_add_permission(request)
                or model_admin.has_change_permission(request)
                or model_admin.has_delete_permission(request)
            )
            assert not writes or isinstance(model_admin, VersionedAdmin), model


def test_a_change_moves_the_key_and_a_value_is_built_once_per_version():
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    key = library_key()
    assert derived("thing", "a", build=build) == 1
    assert derived("thing", "a", build=build) == 1  # from the cache
    assert derived("thing", "b", build=build) == 2  # another part, another entry
    LibraryVersion.objects.record_change("a test")
    assert library_key() != key
    assert derived("thing", "a", build=build) == 3  # rebuilt for the new version


def test_pages_keep_per_user_parts_out_of_the_cache(admin_client, client):
    page = reverse("cases:detail", args=[SLUG])
    admin_html = admin_client.get(page).content.decode()  # cached while an admin looks
    anonymous = client.get(page).content.decode()
    assert "Sign out" in admin_html and "csrfmiddlewaretoken" in admin_html
    assert "Sign out" not in anonymous and "csrfmiddlewaretoken" not in anonymous
    assert "Sign in" in anonymous


def test_the_default_database_cache_serves_the_pages(client):
    # In the test's transaction (DDL is transactional on SQLite and PostgreSQL): the table and
    # its entries go with the rollback, and the shipped library stays loaded.
    database_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "clusterdx_cache_test",
            "TIMEOUT": None,
        }
    }
    with override_settings(CACHES=database_cache):
        call_command("createcachetable", verbosity=0)
        first = client.get(reverse("cases:detail", args=[SLUG])).content
        assert client.get(reverse("cases:detail", args=[SLUG])).content == first
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM clusterdx_cache_test")
            assert cursor.fetchone()[0] >= 1


def test_the_cache_is_the_database_table_unless_cache_url_says_otherwise():
    root = Path(__file__).resolve().parent.parent
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'clusterdx.settings';"
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}

    def backend(**extra):
        run = subprocess.run(
            [sys.executable, "-c", code], env={**env, **extra}, cwd=root,
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return run.stdout.strip()

    assert backend() == "django.core.cache.backends.db.DatabaseCache"
    assert backend(CACHE_URL="redis://127.0.0.1:6379/0").endswith("RedisCache")


def test_a_load_that_changes_the_library_shows_on_every_page_at_once(client, tmp_path):
    from tests.test_loading import CASE, figure, write

    before = fetch_all(client)
    assert all("New case" not in html for html in before.values())
    report = load_fixtures([write(tmp_path, [CASE, figure()])])
    assert report.ok and report.created == 2, report.summary()
    assert "New case" in client.get(reverse("cases:list")).content.decode()
    assert "new-case" in json.dumps(client.get(reverse("api:case-list")).json())
    page = reverse("cases:detail", args=["new-case"])
    assert "world leather-shoe trade" in client.get(page).content.decode()
    # The same file corrected: an update of one figure, shown on the page now cached.
    report = load_fixtures([write(tmp_path, [CASE, figure(label="Corrected share label")])])
    assert report.updated == 1, report.summary()
    html = client.get(page).content.decode()
    assert "Corrected share label" in html and "world leather-shoe trade" not in html


def test_a_load_that_changes_nothing_keeps_the_cache(client):
    calls = []
    derived("thing", build=lambda: calls.append(1) or "built")
    call_command("load_cases", verbosity=0)  # the shipped files, as loaded: skipped
    assert derived("thing", build=lambda: calls.append(1) or "rebuilt") == "built"


def test_a_firm_table_imported_into_a_case_shows_to_admins_at_once(
    admin_client, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.test_firms import GOOD

    settings.MEDIA_ROOT = tmp_path / "media"
    page = reverse("cases:detail", args=["sinos-valley"])
    assert "Survey of 1994" not in admin_client.get(page).content.decode()  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("firms:upload-case", args=["sinos-valley"]),
            {
                "title": "Survey of 1994",
                "citation": "Field survey 1994",
                "file": SimpleUploadedFile("firms.csv", GOOD.encode()),
            },
        )
    assert response.status_code == 302
    html = admin_client.get(page).content.decode()
    assert "Survey of 1994" in html and "2 firms" in html
    assert "Survey of 1994" not in client.get(page).content.decode()  # an admin's only
    # The admin's part also leads to the case's bundle and its import history; others get none.
    assert 'href="/library/bundles/sinos-valley.xlsx"' in html
    assert 'href="/library/imports/?case=sinos-valley"' in html
    assert 'id="case-bundle"' not in client.get(page).content.decode()


def test_the_paper_is_cached_once_whatever_ranges_are_asked_for(client):
    from django.core.cache import cache

    lines = client.get(reverse("cases:paper")).content.decode().count('class="paper-line')
    assert lines > 2600
    # a range in one block, across two, from a block's last line, and the whole paper
    for first, last in [(0, 0), (208, 209), (99, 101), (100, 100), (1, lines)]:
        query = {"from": first, "to": last} if first else {}
        html = client.get(reverse("cases:paper"), query).content.decode()
        lit = [int(n) for n in re.findall(r'<div class="paper-line hl" id="L(\d+)">', html)]
        assert lit == (list(range(first, last + 1)) if first else []), (first, last)
        assert html.count('class="paper-line') == lines
    assert len([key for key in cache._cache if "source-blocks" in key]) == 1  # locmem's keys


def test_stored_text_cannot_forge_the_separator_of_a_cached_page(client):
    from cases.derived import PART_SEPARATOR

    CaseStudy.objects.filter(slug=SLUG).update(summary=f"before{PART_SEPARATOR}<b>after</b>")
    LibraryVersion.objects.record_change("a test")
    response = client.get(reverse("cases:detail", args=[SLUG]))
    assert response.status_code == 200  # the page still splits into its three parts
    html = response.content.decode()
    assert "&lt;b&gt;after&lt;/b&gt;" in html and "<b>after</b>" not in html
