"""Signing in: guessing passwords is throttled on the site and the admin (per username and
address), the lock-out page says when to try again, and password reset is offered only where
mail is actually sent."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from checklist.models import OFFICERS, RESEARCHERS

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed sign-ins"
SITE_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Dozens of password checks per test: the production hasher's cost is the point there.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username, role=None, **extra) -> User:
    user = User.objects.create_user(username, password="right-" + username, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def sign_in(client, url, username, password, address="127.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in_as(client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).username if user_id else None


def fail(client, url, username, times, address="127.0.0.1"):
    for _ in range(times):
        response = sign_in(client, url, username, "wrong-guess", address)
        assert response.status_code in (200, 429)


def test_thirty_wrong_passwords_then_the_right_one_is_refused_on_the_site(client):
    make_user("olga", OFFICERS)
    fail(client, SITE_LOGIN, "olga", 30)
    response = sign_in(client, SITE_LOGIN, "olga", "right-olga")
    html = response.content.decode()
    assert response.status_code == 429
    assert LOCKED in html and "Try again after" in html and "15 minutes" in html
    assert 'class="navbar' in html  # in the site's layout, not a bare text response
    assert signed_in_as(client) is None


def test_thirty_wrong_passwords_then_the_right_one_is_refused_on_the_admin(client):
    make_user("ada", is_staff=True, is_superuser=True)
    fail(client, ADMIN_LOGIN, "ada", 30)
    response = sign_in(client, ADMIN_LOGIN, "ada", "right-ada")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert signed_in_as(client) is None
    assert client.get(reverse("admin:index")).status_code == 302  # still sent to the login


def test_failures_below_the_limit_do_not_lock(client, settings):
    make_user("olga", OFFICERS)
    fail(client, SITE_LOGIN, "olga", settings.AXES_FAILURE_LIMIT - 1)
    response = sign_in(client, SITE_LOGIN, "olga", "right-olga")
    assert response.status_code == 302 and signed_in_as(client) == "olga"


def test_the_limit_locks_at_exactly_the_configured_number_of_failures(client, settings):
    assert settings.AXES_FAILURE_LIMIT == 5  # the documented default
    make_user("olga", OFFICERS)
    fail(client, SITE_LOGIN, "olga", 5)
    assert sign_in(client, SITE_LOGIN, "olga", "right-olga").status_code == 429


def test_a_locked_username_does_not_lock_another_user_behind_the_same_address(client):
    make_user("olga", OFFICERS)
    make_user("rita", RESEARCHERS)
    fail(client, SITE_LOGIN, "olga", 30)
    response = sign_in(client, SITE_LOGIN, "rita", "right-rita")
    assert response.status_code == 302 and signed_in_as(client) == "rita"


def test_an_attacker_elsewhere_cannot_lock_the_user_out(client):
    make_user("olga", OFFICERS)
    fail(client, SITE_LOGIN, "olga", 30, address="203.0.113.9")
    response = sign_in(client, SITE_LOGIN, "olga", "right-olga", address="198.51.100.7")
    assert response.status_code == 302 and signed_in_as(client) == "olga"


def test_login_works_again_after_the_cool_off(client, settings):
    make_user("olga", OFFICERS)
    fail(client, SITE_LOGIN, "olga", 30)
    assert sign_in(client, SITE_LOGIN, "olga", "right-olga").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=14), tick=False):
        assert sign_in(client, SITE_LOGIN, "olga", "right-olga").status_code == 429
    # The refused attempt at +14 minutes restarted the wait: 15 minutes from then.
    with time_machine.travel(timezone.now() + timedelta(minutes=30), tick=False):
        response = sign_in(client, SITE_LOGIN, "olga", "right-olga")
        assert response.status_code == 302 and signed_in_as(client) == "olga"


def test_lock_out_page_gives_the_time_to_try_again(client):
    make_user("olga", OFFICERS)
    moment = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    with time_machine.travel(moment, tick=False):
        fail(client, SITE_LOGIN, "olga", 5)
        html = sign_in(client, SITE_LOGIN, "olga", "right-olga").content.decode()
    assert "Try again after 10:15 UTC" in html


def test_behind_the_proxy_failures_count_against_the_address_the_proxy_saw(client, settings):
    """The client may put anything in X-Forwarded-For; only the proxy's own last entry counts,
    so inventing a new address for each guess does not reset the count."""
    settings.BEHIND_TLS_PROXY = True
    make_user("olga", OFFICERS)
    for n in range(30):
        client.post(
            SITE_LOGIN,
            {"username": "olga", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",  # the proxy
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9",
        )
    response = client.post(
        SITE_LOGIN,
        {"username": "olga", "password": "right-olga"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.200, 203.0.113.9",
    )
    assert response.status_code == 429


def test_login_page_offers_reset_only_where_mail_is_sent(client, settings):
    settings.PASSWORD_RESET_BY_EMAIL = False
    html = client.get(SITE_LOGIN).content.decode()
    assert reverse("password_reset") not in html
    assert "Ask an administrator" in html
    settings.PASSWORD_RESET_BY_EMAIL = True
    assert reverse("password_reset") in client.get(SITE_LOGIN).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/set-password/",
        "/accounts/reset/done/",
    ],
)
def test_without_mail_the_reset_pages_say_to_ask_an_admin(client, settings, url):
    settings.PASSWORD_RESET_BY_EMAIL = False
    response = client.get(url)
    assert response.status_code == 404
    assert "Ask an administrator to set a new password" in response.content.decode()


def test_without_mail_posting_a_reset_sends_nothing(client, settings):
    settings.PASSWORD_RESET_BY_EMAIL = False
    make_user("olga", OFFICERS, email="olga@example.org")
    response = client.post("/accounts/password_reset/", {"email": "olga@example.org"})
    assert response.status_code == 404 and mail.outbox == []


def test_with_mail_a_reset_link_arrives_and_sets_a_new_password(client, settings):
    settings.PASSWORD_RESET_BY_EMAIL = True
    make_user("olga", OFFICERS, email="olga@example.org")
    page = client.get("/accounts/password_reset/")
    assert page.status_code == 200 and 'class="navbar' in page.content.decode()
    response = client.post("/accounts/password_reset/", {"email": "olga@example.org"})
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.strip().removeprefix("http://testserver")
    form_url = client.get(path).url  # Django swaps the token for a session-held one
    new_password = "a-New-and-long-passphrase-42"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.url == reverse("password_reset_complete")
    assert User.objects.get(username="olga").check_password(new_password)
