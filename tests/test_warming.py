"""After a change of the library, its pages are drawn into the cache before anyone asks:
`manage.py warm_cache`, and the background task a change in the admin queues."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases.models import CaseStudy
from cases.warming import warmed_urls
from tests.test_compare import ALL, compare_url
from tests.test_derived import admin_form_data

pytestmark = pytest.mark.django_db

# Tables only read to draw a library page (its rows, prefetched); a cached page reads none.
LIBRARY_ROWS = ("cases_linkage", "cases_figure", "cases_actorgroup", "cases_institution")


def drawing_queries(client, url, django_assert_max_num_queries) -> list[str]:
    with django_assert_max_num_queries(200) as queries:
        assert client.get(url).status_code == 200, url
    return [q["sql"] for q in queries.captured_queries if any(t in q["sql"] for t in LIBRARY_ROWS)]


def test_warm_cache_draws_every_library_page_so_a_first_view_draws_nothing(
    client, django_assert_max_num_queries
):
    five = compare_url(*ALL)
    assert five in warmed_urls() and reverse("cases:paper") in warmed_urls()
    call_command("warm_cache", verbosity=0)
    for url in warmed_urls():
        assert drawing_queries(client, url, django_assert_max_num_queries) == [], url


def test_without_warming_the_first_view_draws_the_page(client, django_assert_max_num_queries):
    # The other side of the test above: the check can fail.
    assert drawing_queries(client, compare_url(*ALL), django_assert_max_num_queries)


def test_warm_cache_reports_what_it_drew(capsys):
    call_command("warm_cache", verbosity=2)
    out = capsys.readouterr().out
    assert "200 " in out and compare_url(*ALL) in out
    assert f"Warmed {len(warmed_urls())} pages" in out


def test_a_change_in_the_admin_warms_the_pages_once_committed(
    admin_client, client, settings, django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):  # fmt: skip
    settings.WARM_LIBRARY_CACHE = True  # the tests' task backend runs the job at once
    case = CaseStudy.objects.get(slug="tiruppur")
    url = reverse("admin:cases_casestudy_change", args=[case.pk])
    data = {**admin_form_data(admin_client, url), "short_title": "Tiruppur, warmed"}
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, data).status_code == 302
    five = compare_url(*ALL)
    assert drawing_queries(client, five, django_assert_max_num_queries) == []
    assert "Tiruppur, warmed" in client.get(five).content.decode()


def test_no_warm_up_is_queued_when_it_is_turned_off(
    admin_client, settings, django_capture_on_commit_callbacks
):
    settings.WARM_LIBRARY_CACHE = False
    case = CaseStudy.objects.get(slug="tiruppur")
    url = reverse("admin:cases_casestudy_change", args=[case.pk])
    with django_capture_on_commit_callbacks() as callbacks:
        admin_client.post(url, admin_form_data(admin_client, url))
    assert not any("_enqueue" in getattr(c, "__name__", "") for c in callbacks)
