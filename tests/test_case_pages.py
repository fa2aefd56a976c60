"""What a researcher reads: the case list, a case page, and the paper behind every figure."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from cases.models import CaseStudy, Figure

from .conftest import make_full_case

pytestmark = pytest.mark.django_db

SLUGS = ["sinos-valley", "leon-guadalajara", "tiruppur", "bangalore", "korea-chaebol-networks"]


def loaded_slugs():
    return list(CaseStudy.objects.values_list("slug", flat=True))


def test_case_list_shows_a_card_per_case_with_country_and_sector(client):
    response = client.get(reverse("cases:list"))
    assert response.status_code == 200
    html = response.content.decode()
    for case in CaseStudy.objects.all():
        assert f'data-case="{case.slug}"' in html
        assert case.country in html
        assert reverse("cases:detail", args=[case.slug]) in html


def test_case_list_headline_figures_link_to_their_lines(client):
    html = client.get(reverse("cases:list")).content.decode()
    for figure in Figure.objects.filter(headline=True):
        assert f"?from={figure.line_from}&amp;to={figure.line_to}" in html


def test_case_list_queries_do_not_grow_with_cases(client, django_assert_num_queries):
    # 1: the data version; 2: the cases; 3: their clusters; 4: headline figures with clusters;
    # 5: the navigation's Compare link (every case's slug, clusterdx/navigation.py).
    with django_assert_num_queries(5):
        client.get(reverse("cases:list"))
    for n in range(3):
        make_full_case(f"extra-{n}", rows=5)  # each moves the data version
    with django_assert_num_queries(5):
        response = client.get(reverse("cases:list"))
    assert response.content.decode().count("data-case=") == len(loaded_slugs())
    with django_assert_num_queries(2):  # then cached for this data version (+ the nav's)
        assert client.get(reverse("cases:list")).content == response.content


@pytest.mark.parametrize("slug", SLUGS)
def test_case_page_shows_every_section_and_every_figure_with_its_citation(client, slug):
    case = CaseStudy.objects.get(slug=slug)
    response = client.get(reverse("cases:detail", args=[slug]))
    assert response.status_code == 200
    html = response.content.decode()
    for section in (
        "profile",
        "key-figures",
        "firms",
        "linkages",
        "institutions",
        "markets",
        "timeline",
        "figures",
        "conclusions",
        "policy",
    ):
        assert f'id="{section}"' in html
    for figure in case.figures.all():
        row = re.search(rf'<tr id="figure-{re.escape(figure.key)}">(.*?)</tr>', html, re.S)
        assert row, figure.key
        assert f"?from={figure.line_from}&amp;to={figure.line_to}" in row.group(1)
    for institution in case.institutions.all():
        assert escape(institution.acronym or institution.name) in html
    assert 'id="cluster-map"' in html and "/static/vendor/plotly/plotly.min.js" in html
    # Deferred, so a reader on a slow network reads the page while 1.5 MB of plotly.js arrives.
    scripts = re.findall(r"<script [^>]*>", html)
    assert all(" defer" in tag for tag in scripts if "plotly" in tag or "charts.js" in tag)


def test_case_page_queries_do_not_grow_with_the_data(client, django_assert_num_queries):
    small = make_full_case("small-case", rows=1)
    large = make_full_case("large-case", rows=40)
    # 1: does the slug exist; 2: the data version; 3: the case; then one prefetch each for
    # clusters, size classes, actor groups, firms, policy, institutions, markets, linkages,
    # history, figures and conclusions; then the navigation's case slugs.
    with django_assert_num_queries(15):
        client.get(small.get_absolute_url())
    with django_assert_num_queries(15):
        response = client.get(large.get_absolute_url())
    assert response.content.decode().count('<tr id="figure-') == 40
    with django_assert_num_queries(3):  # then cached: the slug, the version, the nav's slugs
        assert client.get(large.get_absolute_url()).content == response.content


def test_unknown_case_is_a_404(client):
    assert client.get(reverse("cases:detail", args=["atlantis"])).status_code == 404


def test_citation_opens_the_paper_with_the_cited_lines_highlighted(client):
    response = client.get(reverse("cases:paper"), {"from": 208, "to": 209})
    assert response.status_code == 200
    html = response.content.decode()
    highlighted = re.findall(r'<div class="paper-line hl" id="L(\d+)">', html)
    assert highlighted == ["208", "209"]
    assert "480 shoe producers" in html


@pytest.mark.parametrize("query", [{"from": "x"}, {"from": 5, "to": 3}, {"from": 1, "to": 99999}])
def test_paper_rejects_line_ranges_that_do_not_exist(client, query):
    assert client.get(reverse("cases:paper"), query).status_code == 404
