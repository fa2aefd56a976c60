"""The paper's reader with nothing highlighted is rendered once per data version: a cached
view reads neither the text nor renders it, a change of the text shows at once, and the
navigation (who is signed in, the CSRF token) stays the request's."""

import pytest
from django.urls import reverse

from cases.models import PAPER_SLUG, Source
from tests.conftest import record_library_change

pytestmark = pytest.mark.django_db


def test_a_cached_view_of_the_paper_reads_no_text(client, django_assert_max_num_queries):
    first = client.get(reverse("cases:paper")).content.decode()
    assert first.count('class="paper-line') > 2600
    with django_assert_max_num_queries(10) as queries:
        again = client.get(reverse("cases:paper")).content.decode()
    assert again.count('class="paper-line') == first.count('class="paper-line')
    assert not any('"text"' in q["sql"] for q in queries.captured_queries)


def test_a_change_of_the_papers_text_shows_in_the_reader_at_once(client):
    assert "Corrected opening line" not in client.get(reverse("cases:paper")).content.decode()
    source = Source.objects.get(slug=PAPER_SLUG)
    Source.objects.filter(pk=source.pk).update(text="Corrected opening line\n" + source.text)
    record_library_change("the paper's text")
    html = client.get(reverse("cases:paper")).content.decode()
    assert '<div class="paper-line" id="L1">' in html and "Corrected opening line" in html
    ranged = client.get(reverse("cases:paper"), {"from": 1, "to": 1}).content.decode()
    assert "Corrected opening line" in ranged


def test_the_cached_reader_keeps_the_signed_in_parts_per_request(admin_client, client):
    admin_html = admin_client.get(reverse("cases:paper")).content.decode()  # cached now
    anonymous = client.get(reverse("cases:paper")).content.decode()
    assert "Sign out" in admin_html and "csrfmiddlewaretoken" in admin_html
    assert "Sign out" not in anonymous and "csrfmiddlewaretoken" not in anonymous


def test_a_source_without_text_still_says_so(client):
    Source.objects.create(slug="field-notes", title="Field notes", short_title="Notes",
                          kind=Source.Kind.FIELD_NOTES)  # fmt: skip
    record_library_change()
    html = client.get(reverse("cases:source", args=["field-notes"])).content.decode()
    assert "The text of this source is not stored here" in html


def test_a_sources_text_reaches_the_cached_reader_only_as_text(client):
    """The whole-text reader joins cached blocks into one SafeString: each block must have
    been escaped by its template, so stored markup shows as text, lit or not."""
    markup = "<script>alert(1)</script> & <b>bold</b>"
    Source.objects.create(
        slug="survey-notes",
        title="Survey notes",
        short_title="Survey",
        kind=Source.Kind.FIELD_NOTES,
        text=f"Opening line\n{markup}\n",
    )
    record_library_change("a source with markup in its text")
    url = reverse("cases:source", args=["survey-notes"])
    for html in (client.get(url).content.decode(), client.get(url).content.decode(),
                 client.get(url, {"from": 2, "to": 2}).content.decode()):  # fmt: skip
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
        assert "<script>alert(1)" not in html and "<b>bold</b>" not in html
