"""Boundaries the rest of the suite left open: each test here fails if its rule is loosened
by one step (a dropped group check, a `>=` for a `>`)."""

import pytest
from django.urls import reverse

from checklist.models import OFFICERS, RESEARCHERS, Assessment
from tests.test_assessments import PROFILE, formset_data, make_user, post_step, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    user = make_user("olga", OFFICERS)
    client.force_login(user)
    return user


def shared_with_researchers(client) -> Assessment:
    client.post(
        reverse("checklist:new"),
        {**PROFILE, "main-name": "Ludhiana hosiery", "main-share_with_researchers": "on"},
    )
    return Assessment.objects.get(name="Ludhiana hosiery")


def test_an_officer_outside_the_researchers_group_cannot_see_a_researchers_share(client, officer):
    shared = shared_with_researchers(client)
    client.force_login(make_user("boris", OFFICERS))
    assert client.get(reverse("checklist:scorecard", args=[shared.pk])).status_code == 404
    assert "Ludhiana hosiery" not in client.get(reverse("checklist:assessments")).content.decode()
    api = client.get(reverse("checklist:api-assessment-scorecard", args=[shared.pk]))
    assert api.status_code == 404
    compared = client.get(reverse("compare:page"), {"assessment": shared.pk})
    assert "Ludhiana hosiery" not in compared.content.decode()


def test_a_user_with_no_role_cannot_see_a_researchers_share(client, officer):
    shared = shared_with_researchers(client)
    client.force_login(make_user("nobody"))
    assert client.get(reverse("checklist:scorecard", args=[shared.pk])).status_code == 404


def test_a_researcher_sees_a_researchers_share_in_the_list(client, officer):
    shared_with_researchers(client)
    client.force_login(make_user("rita", RESEARCHERS))
    assert "Ludhiana hosiery" in client.get(reverse("checklist:assessments")).content.decode()


@pytest.mark.parametrize(
    "shares, accepted",
    [(("60", "40"), True), (("100",), True), (("60", "40.01"), False), (("100.01",), False)],
)
def test_group_shares_may_total_exactly_100_but_not_more(client, officer, shares, accepted):
    assessment = start(client)
    rows = [
        {"role": "producer", "name": f"Producers {n}", "share_of_firms": share}
        for n, share in enumerate(shares)
    ]
    data = {"main-producer_count": "500", **formset_data("firms", rows)}
    response = post_step(client, assessment, "firms", data)
    assessment.refresh_from_db()
    assert (response.status_code == 302) is accepted
    assert assessment.groups.count() == (len(shares) if accepted else 0)
