"""`manage.py add_user` holds passwords to the same validators as the site."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from checklist.models import OFFICERS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("83920174", "This password is entirely numeric."),
        ("kowalska1", "The password is too similar to the username."),
    ],
)
def test_a_weak_password_is_refused_with_the_validators_message(password, message):
    with pytest.raises(CommandError) as refused:
        call_command("add_user", "kowalska", role="officer", password=password)
    assert message in str(refused.value)
    assert not User.objects.filter(username="kowalska").exists()


def test_a_password_from_the_environment_is_checked_too(monkeypatch):
    monkeypatch.setenv("CLUSTERDX_PASSWORD", "12345678")
    with pytest.raises(CommandError, match="too common"):
        call_command("add_user", "olga", role="officer")


def test_a_strong_password_creates_the_user_with_the_role():
    call_command("add_user", "olga", role="officer", password="Tiruppur-knitwear-1995")
    olga = User.objects.get(username="olga")
    assert olga.check_password("Tiruppur-knitwear-1995")
    assert list(olga.groups.values_list("name", flat=True)) == [OFFICERS]
    assert not olga.is_staff


def test_an_admin_is_staff_and_superuser():
    call_command("add_user", "ada", role="admin", password="Sinos-valley-shoes-1992")
    ada = User.objects.get(username="ada")
    assert ada.is_staff and ada.is_superuser
