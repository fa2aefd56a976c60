"""The "this cluster over time" list on a scorecard shows only assessments the reader may see:
no row, link or year of a later (or earlier) assessment that is not shared with them."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from checklist.models import OFFICERS, RESEARCHERS, Assessment

pytestmark = pytest.mark.django_db


def make_user(username, role) -> User:
    user = User.objects.create_user(username, password="pw-" + username)
    user.groups.add(Group.objects.get(name=role))
    return user


def assess(owner, year, *, previous=None, shared=False) -> Assessment:
    return Assessment.objects.create(
        owner=owner,
        name="Agra shoe cluster",
        country="India",
        sector="Shoes",
        evidence_year=year,
        previous=previous,
        share_with_researchers=shared,
    )


def scorecard_as(client, user, assessment) -> str:
    client.force_login(user)
    response = client.get(reverse("checklist:scorecard", args=[assessment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_researcher_sees_no_hint_of_a_later_assessment_not_shared_with_them(client):
    olga, rita = make_user("olga", OFFICERS), make_user("rita", RESEARCHERS)
    first = assess(olga, 1995, shared=True)
    later = assess(olga, 2003, previous=first, shared=False)
    html = scorecard_as(client, rita, first)
    assert 'id="lineage"' not in html and "This cluster over time" not in html
    assert reverse("checklist:scorecard", args=[later.pk]) not in html
    assert "2003" not in html


def test_researcher_sees_the_later_assessment_once_it_is_shared(client):
    olga, rita = make_user("olga", OFFICERS), make_user("rita", RESEARCHERS)
    first = assess(olga, 1995, shared=True)
    later = assess(olga, 2003, previous=first, shared=True)
    html = scorecard_as(client, rita, first)
    assert 'id="lineage"' in html
    assert reverse("checklist:compare", args=[first.pk, later.pk]) in html


def test_a_hidden_assessment_between_two_shared_ones_is_left_out(client):
    olga, rita = make_user("olga", OFFICERS), make_user("rita", RESEARCHERS)
    first = assess(olga, 1995, shared=True)
    middle = assess(olga, 1999, previous=first, shared=False)
    last = assess(olga, 2003, previous=middle, shared=True)
    html = scorecard_as(client, rita, first)
    assert reverse("checklist:scorecard", args=[last.pk]) in html
    assert reverse("checklist:scorecard", args=[middle.pk]) not in html
    assert "1999" not in html


def test_the_owner_sees_the_whole_lineage(client):
    olga = make_user("olga", OFFICERS)
    first = assess(olga, 1995)
    later = assess(olga, 2003, previous=first)
    html = scorecard_as(client, olga, first)
    assert reverse("checklist:compare", args=[first.pk, later.pk]) in html
