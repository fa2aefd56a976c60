"""Every error a user can meet comes in the site's layout, and the 500 page renders even when
nothing but the template itself can be relied on."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.error_urls")]

STYLESHEET = "/static/css/clusterdx.css"


@pytest.fixture
def client(client):
    client.raise_request_exception = False  # answer as production does: with the error page
    return client


def test_a_server_error_shows_the_site_styled_500_page(client):
    response = client.get("/test-errors/500/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert STYLESHEET in html and 'class="navbar' in html
    assert "a bug" not in html  # nothing of the exception reaches the visitor


def test_the_500_page_renders_without_a_request_context():
    # Django renders it with an empty context: no user, no messages, no context processors.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_an_unknown_address_shows_the_site_styled_404_page(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "There is nothing at this address" in html and 'class="navbar' in html


def test_bad_input_shows_the_site_styled_400_page(client):
    response = client.get("/test-errors/400/")
    html = response.content.decode()
    assert response.status_code == 400
    assert "This request cannot be answered" in html and 'class="navbar' in html


def test_forbidden_shows_the_site_styled_403_page(client):
    response = client.get("/test-errors/403/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "Not allowed" in html and 'class="navbar' in html
