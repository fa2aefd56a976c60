"""The JSON API: the case list, one case in full with provenance, and JSON errors."""

import pytest
from django.urls import reverse

from cases.models import CaseStudy

from .conftest import make_full_case

pytestmark = pytest.mark.django_db

SECTIONS = [
    "clusters",
    "size_classes",
    "firms",
    "linkages",
    "institutions",
    "markets",
    "history",
    "figures",
    "conclusions",
    "policy",
]


def test_case_list_names_every_case_with_its_url(client):
    response = client.get(reverse("api:case-list"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    cases = response.json()["cases"]
    assert [c["slug"] for c in cases] == list(CaseStudy.objects.values_list("slug", flat=True))
    assert cases[0]["url"].endswith(f"/api/cases/{cases[0]['slug']}/")


def test_case_detail_returns_everything_stored_with_provenance(client):
    for case in CaseStudy.objects.all():
        data = client.get(reverse("api:case-detail", args=[case.slug])).json()
        assert data["slug"] == case.slug
        assert set(SECTIONS) <= set(data)
        assert len(data["figures"]) == case.figures.count()
        assert len(data["institutions"]) == case.institutions.count()
        assert len(data["linkages"]) == case.linkages.count()
        assert len(data["firms"]["groups"]) == case.actor_groups.count()
        assert len(data["firms"]["named"]) == case.firms.count()
        rows = [
            data,
            *data["clusters"],
            *data["figures"],
            *data["institutions"],
            *data["linkages"],
            *data["conclusions"],
            *data["history"],
            *data["markets"],
        ]
        for row in rows:
            provenance = row["provenance"]
            assert provenance["passage"]
            assert 1 <= provenance["lines"][0] <= provenance["lines"][1]
            assert f"from={provenance['lines'][0]}" in provenance["paper_url"]


def test_figure_values_are_numbers_with_their_units(client):
    data = client.get(reverse("api:case-detail", args=["sinos-valley"])).json()
    share = next(f for f in data["figures"] if f["value"] == 48.2)
    assert share["unit"] == "percent"
    assert share["year"] == 1991
    assert share["provenance"]["confidence"] == "ambiguous"
    assert share["provenance"]["note"]


def test_unknown_slug_is_a_json_404(client):
    response = client.get("/api/cases/atlantis/")
    assert response.status_code == 404
    assert "atlantis" in response.json()["error"]


def test_case_detail_queries_do_not_grow_with_the_data(client, django_assert_num_queries):
    small = make_full_case("small-case", rows=1)
    large = make_full_case("large-case", rows=30)
    # 1: does the slug exist; 2: the data version (the cache key); 3: the case; then one
    # prefetch each for its eleven kinds of rows.
    with django_assert_num_queries(14):
        client.get(reverse("api:case-detail", args=[small.slug]))
    with django_assert_num_queries(14):
        data = client.get(reverse("api:case-detail", args=[large.slug])).json()
    assert len(data["figures"]) == 30
    # Once built for this data version: the slug and the version only.
    with django_assert_num_queries(2):
        assert client.get(reverse("api:case-detail", args=[large.slug])).json() == data


def test_case_list_queries_do_not_grow(client, django_assert_num_queries):
    make_full_case("extra", rows=2)
    # 1: the data version; 2: the cases; 3: their clusters.
    with django_assert_num_queries(3):
        response = client.get(reverse("api:case-list"))
    assert len(response.json()["cases"]) == 6
    with django_assert_num_queries(1):  # then cached for this data version
        assert client.get(reverse("api:case-list")).json() == response.json()
