"""Admins see and revoke API keys without a shell (Django admin: Checklist > API tokens), and
may issue one, shown once on the page that answers its creation."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from checklist.models import OFFICERS, ApiToken

from .test_answers import ANSWERS
from .test_api_assessments import post_json
from .test_assessments import make_user

pytestmark = pytest.mark.django_db

ADD = reverse("admin:checklist_apitoken_add")
LIST = reverse("admin:checklist_apitoken_changelist")


@pytest.fixture
def officer():
    return make_user("keyed-officer", OFFICERS)


def works(key: str) -> bool:
    response = post_json(Client(), "/api/assessments/", ANSWERS, HTTP_AUTHORIZATION=f"Bearer {key}")
    return response.status_code == 201


def shown_key(html: str) -> str:
    return re.search(r'id="api-key" type="text" readonly size="50" value="([^"]+)"', html)[1]


def test_an_admin_issues_a_key_shown_once_that_works_and_is_not_stored(admin_client, officer):
    response = admin_client.post(ADD, {"user": officer.pk})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # the key is kept by no cache
    key = shown_key(response.content.decode())
    token = ApiToken.objects.get(user=officer)
    assert token.digest == ApiToken.digest_of(key) and key not in token.digest
    assert works(key)
    # Afterwards the key is nowhere to be read: not on the list, not on the token's page.
    listing = admin_client.get(LIST).content.decode()
    assert "keyed-officer" in listing and token.fingerprint in listing and key not in listing
    page = admin_client.get(reverse("admin:checklist_apitoken_change", args=[token.pk]))
    assert page.status_code == 200 and key not in page.content.decode()
    assert token.digest not in page.content.decode()  # only its first characters


def test_an_admin_revokes_a_key_by_deleting_its_token(admin_client, officer):
    key = ApiToken.objects.issue(officer)  # as `manage.py api_token` issues it
    token = ApiToken.objects.get()
    assert works(key)
    delete = reverse("admin:checklist_apitoken_delete", args=[token.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert not ApiToken.objects.exists()
    assert not works(key)


def test_a_token_is_never_edited_and_an_inactive_user_gets_none(admin_client, officer):
    ApiToken.objects.issue(officer)
    token = ApiToken.objects.get()
    change = reverse("admin:checklist_apitoken_change", args=[token.pk])
    other = make_user("other-officer", OFFICERS)
    admin_client.post(change, {"user": other.pk})
    token.refresh_from_db()
    assert token.user == officer  # view only: the post changes nothing
    officer.is_active = False
    officer.save()
    response = admin_client.post(ADD, {"user": officer.pk})
    assert response.status_code == 200
    assert "is not active: a key would not work" in response.content.decode()
    assert ApiToken.objects.count() == 1


def test_an_officer_cannot_reach_the_tokens(client, officer):
    client.force_login(officer)
    assert client.get(LIST).status_code == 302  # to the admin's login
    assert client.post(ADD, {"user": officer.pk}).status_code == 302
    assert not ApiToken.objects.exists()
