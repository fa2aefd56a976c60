"""The main navigation on every page: the Compare link takes every case of the library (a
bundle's too) in one query, and exactly one item is the current page's."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from cases.models import CaseStudy
from clusterdx.navigation import section_of
from compare.forms import MAX_SUBJECTS

from .conftest import make_case

pytestmark = pytest.mark.django_db

EXAMPLE = Path(settings.BASE_DIR) / "docs" / "examples" / "sialkot-example.json"


# 3. The Compare link ------------------------------------------------------------------------


def compare_link(html: str) -> list[str]:
    href = re.search(r'<a class="nav-link[^"]*"[^>]* href="([^"]*)">Compare</a>', html).group(1)
    assert href.startswith(reverse("compare:page"))
    return re.findall(r"case=([^&]+)", href)


def test_compare_lists_every_case_of_the_library_a_bundles_too(client):
    call_command("import_data", str(EXAMPLE), verbosity=0)
    slugs = list(CaseStudy.objects.values_list("slug", flat=True))
    assert "sialkot-example" in slugs and len(slugs) == 6
    assert compare_link(client.get(reverse("cases:list")).content.decode()) == slugs
    response = client.get(reverse("home"))
    page = client.get(
        reverse("compare:page")
        + "?"
        + "&".join(f"case={slug}" for slug in compare_link(response.content.decode()))
    )
    assert page.status_code == 200 and "Sialkot surgical instruments (example)" in (
        page.content.decode()
    )


def test_compare_takes_at_most_what_a_comparison_takes(client):
    for n in range(MAX_SUBJECTS):
        CaseStudy.objects.create(
            **{
                f.name: getattr(CaseStudy.objects.get(slug="tiruppur"), f.name)
                for f in CaseStudy._meta.concrete_fields
                if f.name not in {"id", "slug", "position"}
            },
            slug=f"extra-{n:02}",
            position=100 + n,
        )
    slugs = compare_link(client.get(reverse("home")).content.decode())
    assert len(slugs) == MAX_SUBJECTS and slugs[:5] == list(
        CaseStudy.objects.values_list("slug", flat=True)[:5]
    )


def test_the_navigation_costs_one_query_however_many_cases(client, django_assert_num_queries):
    # The home page reads nothing else (signed out: no session, no user): 1, the case slugs.
    with django_assert_num_queries(1):
        client.get(reverse("home"))
    for n in range(3):
        make_case(f"extra-{n}", position=20 + n)
    with django_assert_num_queries(1):
        html = client.get(reverse("home")).content.decode()
    assert len(compare_link(html)) == 8


# 4. The current navigation item -------------------------------------------------------------


def current_items(html: str) -> list[str]:
    nav = html.split('aria-label="Main navigation"')[1].split("</nav>")[0]
    return re.findall(r'aria-current="page"[^>]*>([^<]+)</a>', nav)


@pytest.mark.parametrize(
    ("url", "item"),
    [
        ("/cases/", "Cases"),
        ("/cases/sinos-valley/", "Cases"),
        ("/cases/sinos-valley/scorecard/", "Cases"),
        ("/library/imports/", "Imports"),
        ("/compare/", "Compare"),
        ("/compare/?case=tiruppur", "Compare"),
        ("/assess/", "Assess"),
        ("/assess/new/", "Assess"),
        ("/method/", "Method"),
        ("/paper/", "Paper"),
        ("/sources/", "Sources"),
    ],
)
def test_exactly_one_navigation_item_is_the_current_page(admin_client, url, item):
    response = admin_client.get(url)
    assert response.status_code == 200
    assert current_items(response.content.decode()) == [item]


def test_pages_of_no_section_mark_no_item(client):
    assert current_items(client.get(reverse("home")).content.decode()) == []
    assert current_items(client.get("/no-such-page/").content.decode()) == []
    assert section_of("cases", "imports") == "imports" and section_of("admin", "index") == ""
