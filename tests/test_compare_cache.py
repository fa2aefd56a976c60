"""A comparison with assessments is drawn once per state of its subjects and then read from the
cache: an edit of an assessment's answers, or of the library, shows on the page at once, and
the cache never shows an assessment to someone who may not read it."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from cases.models import CaseStudy
from checklist.models import OFFICERS, Assessment
from compare import views
from tests.conftest import record_library_change
from tests.test_assessments import PROFILE, post_step, start
from tests.test_compare import compare_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def olga(client):
    user = User.objects.create_user("olga", password="x")
    user.groups.add(Group.objects.get(name=OFFICERS))
    client.force_login(user)
    return user


@pytest.fixture
def drawings(monkeypatch) -> list:
    """The subjects of each comparison drawn (not read from the cache), by name."""
    drawn, draw = [], views._drawn

    def counting(subjects):
        drawn.append([s.name for s in subjects])
        return draw(subjects)

    monkeypatch.setattr(views, "_drawn", counting)
    return drawn


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def answered(client) -> Assessment:
    assessment = start(client)
    post_step(client, assessment, "markets", {"main-export_share": "30",
                                              "main-competes_on": ["price"]})  # fmt: skip
    return assessment


def test_a_repeated_comparison_with_assessments_is_drawn_once(client, olga, drawings):
    assessment = answered(client)
    url = compare_url("sinos-valley", "tiruppur", assessments=[assessment.pk])
    first, again = page(client, url), page(client, url)
    assert drawings == [["Sinos Valley shoes", "Tiruppur knitwear", "Agra shoe cluster (1995)"]]
    assert "Agra shoe cluster (1995)" in first and "Agra shoe cluster (1995)" in again


def test_an_edit_of_the_answers_shows_on_the_comparison_at_once(client, olga, drawings):
    assessment = answered(client)
    url = compare_url("sinos-valley", assessments=[assessment.pk])
    before = page(client, url)
    assert "Agra shoe cluster (1995)" in before and "30%" in before
    post_step(client, assessment, "profile", {**PROFILE, "main-name": "Agra leather cluster"})
    post_step(client, assessment, "markets", {"main-export_share": "45",
                                              "main-competes_on": ["price"]})  # fmt: skip
    after = page(client, url)
    assert "Agra leather cluster (1995)" in after and "Agra shoe cluster" not in after
    assert "45%" in after
    assert len(drawings) == 2  # the old drawing was not served


def test_a_submit_shows_on_the_comparison_at_once(client, olga, drawings):
    # A submit moves no revision (no answer changes) but `updated`: the page is drawn again.
    assessment = answered(client)
    url = compare_url("tiruppur", assessments=[assessment.pk])
    page(client, url)
    client.post(reverse("checklist:submit", args=[assessment.pk]))
    page(client, url)
    assert len(drawings) == 2


def test_a_library_change_shows_on_a_comparison_with_assessments_at_once(client, olga):
    assessment = answered(client)
    url = compare_url("tiruppur", assessments=[assessment.pk])
    assert "Tiruppur knitwear" in page(client, url)
    CaseStudy.objects.filter(slug="tiruppur").update(short_title="Tiruppur, corrected")
    record_library_change()
    after = page(client, url)
    assert "Tiruppur, corrected" in after and "Agra shoe cluster (1995)" in after


def test_the_cache_never_shows_an_assessment_to_someone_who_may_not_read_it(client, olga):
    assessment = answered(client)
    url = compare_url("sinos-valley", assessments=[assessment.pk])
    assert "Agra shoe cluster (1995)" in page(client, url)  # drawn and cached for olga
    boris = User.objects.create_user("boris", password="x")
    boris.groups.add(Group.objects.get(name=OFFICERS))
    client.force_login(boris)
    refused = page(client, url)
    assert "Agra shoe cluster" not in refused
    assert f"assessment {assessment.pk} (not one you may see)" in refused
    assert "Sinos Valley shoes" in refused  # the case is still compared
    csv = client.get(reverse("compare:download", args=["csv"]) + url[url.index("?") :])
    assert "Agra" not in csv.content.decode("utf-8-sig")
    client.logout()
    assert "Agra shoe cluster" not in page(client, url)


def test_an_assessment_in_two_comparisons_is_fetched_and_scored_once(
    client, olga, django_assert_max_num_queries
):
    assessment = answered(client)
    page(client, compare_url("sinos-valley", "tiruppur", assessments=[assessment.pk]))
    # Another combination: drawn anew, but from the cached subjects (no prefetch of the
    # assessment's rows, no query set for the case).
    with django_assert_max_num_queries(30) as queries:
        page(client, compare_url("tiruppur", assessments=[assessment.pk]))
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "checklist_assessmentgroup" not in sql and "cases_actorgroup" not in sql
