"""HTML is compressed where no secret of the person asking is in it (clusterdx/compression.py)."""

import gzip
import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from clusterdx.compression import deflate_part, gzip_around

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, br"}
LONG = ("ünïcode ✓ " * 5000 + "<p>x</p>" * 3000).encode()
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


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


@pytest.mark.parametrize(
    "content, part",
    [
        (b"<nav>you</nav><main>shared</main><footer/>", b"<main>shared</main>"),
        (b"shared, then the rest", b"shared"),  # the part first
        (b"the rest, then shared", b"shared"),  # the part last
        (b"shared", b"shared"),  # nothing around it (a JSON payload)
        (LONG, LONG[40_000:80_000]),  # parts longer than deflate's 32 kB window
    ],
)
def test_a_response_spliced_around_its_deflated_part_is_one_valid_gzip_stream(content, part):
    spliced = gzip_around(content, [(part, deflate_part(part))], max_random_bytes=100)
    assert gzip.decompress(spliced) == content


def test_several_parts_in_their_order_make_one_stream_and_out_of_order_are_refused():
    content = b"<nav/>" + b"one " * 9000 + b"<mark>lit</mark>" + b"two " * 9000 + b"<end/>"
    one, two = b"one " * 9000, b"two " * 9000
    parts = [(one, deflate_part(one)), (two, deflate_part(two))]
    assert gzip.decompress(gzip_around(content, parts, max_random_bytes=5)) == content
    with pytest.raises(ValueError, match="not in this order"):
        gzip_around(content, parts[::-1], max_random_bytes=5)


def test_a_part_not_in_the_response_is_refused():
    with pytest.raises(ValueError, match="not in the response"):
        gzip_around(b"<p>page</p>", [(b"other", deflate_part(b"other"))], max_random_bytes=1)


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_cached_library_page_and_payload_decompress_to_what_is_sent_uncompressed(
    client, signed_in
):
    if signed_in:
        client.force_login(User.objects.create_user("olga", password="x"))
    for url in [
        reverse("cases:paper"),
        reverse("cases:paper") + "?from=100&to=101",  # a range across two blocks
        reverse("cases:detail", args=["sinos-valley"]),
        reverse("api:case-detail", args=["tiruppur"]),
    ]:
        plain = client.get(url).content  # cached now: the compressed one is spliced
        compressed = client.get(url, **GZIP)
        assert compressed["Content-Encoding"] == "gzip", url
        assert int(compressed["Content-Length"]) == len(compressed.content)
        unpacked = gzip.decompress(compressed.content)
        if signed_in:  # the CSRF token is masked anew for each response
            unpacked, plain = (CSRF.sub(b"", page) for page in (unpacked, plain))
        assert unpacked == plain, url
