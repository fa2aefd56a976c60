"""An admin's walk through a firm table's forms and report: the browser checks required
fields before it sends a large file, the page leads back to its owner, the report's tables
read top-down with headers and the case's own size classes, its sentences count truthfully,
and a file cannot be replaced while an import runs."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from firms.models import FirmTable

from .test_firms import make_assessment, make_user, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class Elements(HTMLParser):
    """Every start tag of a page, as (tag, attributes)."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def named(self, tag: str, **attrs) -> list[dict]:
        return [
            found
            for name, found in self.found
            if name == tag and all(found.get(k) == v for k, v in attrs.items())
        ]


def page_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# 1. The upload forms ------------------------------------------------------------------------


@pytest.mark.parametrize("owner", ["case", "assessment"])
def test_the_browser_checks_the_required_fields_before_it_sends_the_file(client, owner):
    if owner == "case":
        client.force_login(make_user("admin", staff=True))
        url = reverse("firms:upload-case", args=["sinos-valley"])
    else:
        officer = make_user("officer", officer=True)
        client.force_login(officer)
        url = reverse("firms:upload-assessment", args=[make_assessment(officer).pk])
    page = Elements(page_of(client, url))
    [form] = [found for found in page.named("form") if found.get("enctype")]
    assert "novalidate" not in form  # else the browser sends 82 MB before anyone checks
    [title] = page.named("input", name="title")
    [citation] = page.named("textarea", name="citation")
    [file] = page.named("input", name="file")
    assert "required" in title and "required" in citation and "required" in file
    assert file["accept"] == ".csv,.xlsx"
    [sheet] = page.named("input", name="sheet")
    assert "required" not in sheet


def test_an_upload_with_a_missing_title_still_lists_the_error_from_the_server(client):
    client.force_login(make_user("admin", staff=True))
    response = upload(client, reverse("firms:upload-case", args=["sinos-valley"]), title="")
    assert 'id="error-summary"' in response.content.decode()
    assert "Title: This field is required." in response.content.decode()
    assert not FirmTable.objects.exists()
