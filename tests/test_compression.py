"""HTML is compressed where no secret of the person asking is in it (clusterdx/compression.py)."""

import gzip

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, br"}


def test_an_anonymous_visitor_gets_the_library_compressed(client):
    response = client.get(reverse("cases:detail", args=["sinos-valley"]), **GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert b"Sinos Valley" in gzip.decompress(response.content)
    api = client.get(reverse("api:case-detail", args=["tiruppur"]), **GZIP)
    assert api["Content-Encoding"] == "gzip"


def test_a_signed_in_officer_gets_shared_library_pages_compressed_but_not_their_own(client):
    officer = User.objects.create_user("olga", password="x")
    client.force_login(officer)
    library = client.get(reverse("cases:detail", args=["sinos-valley"]), **GZIP)
    assert library["Content-Encoding"] == "gzip"  # the same for everyone
    own = client.get(reverse("checklist:assessments"), **GZIP)
    assert own.status_code == 200 and not own.has_header("Content-Encoding")
