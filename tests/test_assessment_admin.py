"""Admins find and read every assessment in the admin, and change its owner and sharing;
answers stay read-only there (a plain admin save would not rescore). Officers get no access."""

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checklist.models import (
    OFFICERS,
    RESEARCHERS,
    Assessment,
    AssessmentGroup,
    AssessmentInstitution,
    AssessmentTie,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:checklist_assessment_changelist")


def make_user(username, role=None, **extra) -> User:
    user = User.objects.create_user(username, password="pw-" + username, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_assessment(owner, name="Agra shoe cluster", **fields) -> Assessment:
    assessment = Assessment.objects.create(
        owner=owner, name=name, country="India", sector="Shoes", evidence_year=1995, **fields
    )
    AssessmentGroup.objects.create(assessment=assessment, role="producer", name="Shoemakers")
    AssessmentTie.objects.create(
        assessment=assessment, direction="forward", nature="technical_assistance"
    )
    AssessmentInstitution.objects.create(
        assessment=assessment, name="Agra Footwear Fair", kind="trade_fair"
    )
    return assessment


def change_url(assessment) -> str:
    return reverse("admin:checklist_assessment_change", args=[assessment.pk])


def test_admin_lists_searches_and_filters_assessments(admin_client):
    olga = make_user("olga", OFFICERS)
    make_assessment(olga)
    make_assessment(olga, name="Tiruppur knitwear", status="submitted")
    page = admin_client.get(CHANGELIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Agra shoe cluster" in html and "Tiruppur knitwear" in html
    found = admin_client.get(CHANGELIST, {"q": "olga"}).content.decode()
    assert "Agra shoe cluster" in found
    submitted = admin_client.get(CHANGELIST, {"status__exact": "submitted"}).content.decode()
    assert "Tiruppur knitwear" in submitted and "Agra shoe cluster" not in submitted


def test_change_page_shows_the_answers_and_lists_read_only(admin_client):
    assessment = make_assessment(make_user("olga", OFFICERS))
    page = admin_client.get(change_url(assessment))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Shoemakers" in html and "Agra Footwear Fair" in html and "Technical" in html
    assert 'name="name"' not in html  # the answers are not inputs
    assert 'name="owner"' in html and 'name="share_with_researchers"' in html


def changelist_queries(admin_client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get(CHANGELIST).status_code == 200
    return len(queries)


def test_changelist_queries_do_not_grow_with_the_number_of_assessments(admin_client):
    owners = [make_user(f"officer{n}", OFFICERS) for n in range(30)]
    for owner in owners[:3]:
        make_assessment(owner)
    few = changelist_queries(admin_client)
    for owner in owners[3:]:
        make_assessment(owner)
    # session, user, counts, the page of rows with their owners, filter choices, date levels
    assert changelist_queries(admin_client) == few <= 12


def test_admin_changes_owner_and_sharing_but_not_answers(admin_client):
    olga, boris = make_user("olga", OFFICERS), make_user("boris", OFFICERS)
    rita = make_user("rita", RESEARCHERS)
    assessment = make_assessment(olga)
    data = {
        "owner": boris.pk,
        "shared_with": [rita.pk],
        "share_with_researchers": "on",
        "name": "Renamed in the admin",  # read-only: ignored
        **{
            f"{prefix}-{key}": value
            for prefix in ("groups", "ties", "institutions", "scores")
            for key, value in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()
        },
    }
    response = admin_client.post(change_url(assessment), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assessment.refresh_from_db()
    assert assessment.owner == boris and assessment.share_with_researchers
    assert list(assessment.shared_with.all()) == [rita]
    assert assessment.name == "Agra shoe cluster"
    assert assessment.groups.count() == 1


def test_admin_cannot_add_an_assessment_that_skips_the_site(admin_client):
    assert admin_client.get(reverse("admin:checklist_assessment_add")).status_code == 403


@pytest.mark.parametrize("role", [OFFICERS, RESEARCHERS])
def test_officers_and_researchers_have_no_access(client, role):
    user = make_user("someone", role)
    assessment = make_assessment(user)
    client.force_login(user)
    for url in (CHANGELIST, change_url(assessment)):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/admin/login/")


def test_the_change_page_shows_every_answer_of_the_lists(admin_client):
    assessment = make_assessment(make_user("olga", OFFICERS))
    assessment.institutions.update(services="Fairs twice a year for small makers")
    html = admin_client.get(change_url(assessment)).content.decode()
    assert "Fairs twice a year for small makers" in html


def test_an_admin_sharing_save_keeps_a_step_saved_on_the_site_meanwhile(admin_client):
    from unittest import mock

    from checklist.admin import AssessmentAdmin

    olga = make_user("olga", OFFICERS)
    assessment = make_assessment(olga)
    original = AssessmentAdmin.get_object

    def read_then_saved_elsewhere(self, request, object_id, from_field=None):
        read = original(self, request, object_id, from_field)
        # The officer saves the markets step on the site after the admin read the row.
        Assessment.objects.filter(pk=read.pk).update(export_share=70)
        return read

    data = {
        "owner": olga.pk,
        "share_with_researchers": "on",
        **{
            f"{prefix}-{key}": value
            for prefix in ("groups", "ties", "institutions", "scores")
            for key, value in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()
        },
    }
    with mock.patch.object(AssessmentAdmin, "get_object", read_then_saved_elsewhere):
        assert admin_client.post(change_url(assessment), data).status_code == 302
    assessment.refresh_from_db()
    assert assessment.share_with_researchers and assessment.export_share == 70
