"""An admin's walk through a firm table's forms and report: the browser checks required
fields before it sends a large file, the page leads back to its owner, the report's tables
read top-down with headers and the case's own size classes, its sentences count truthfully,
and a file cannot be replaced while an import runs."""

import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
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


# 4. Replacing the file ----------------------------------------------------------------------


def officers_table(client, capture, *, execute: bool) -> FirmTable:
    officer = make_user("officer", officer=True)
    client.force_login(officer)
    with capture(execute=execute):  # not executed: queued, no worker has picked it up
        upload(
            client,
            reverse("firms:upload-assessment", args=[make_assessment(officer).pk]),
            "identifier,group\nA,Shoemakers\n",
        )
    return FirmTable.objects.get()


def replace_action(table) -> str:
    return reverse("firms:replace", args=[table.pk])


@pytest.mark.parametrize("status", [FirmTable.Status.QUEUED, FirmTable.Status.RUNNING])
def test_no_file_can_be_sent_to_replace_one_still_waiting_or_importing(
    client, django_capture_on_commit_callbacks, status
):
    table = officers_table(client, django_capture_on_commit_callbacks, execute=False)
    FirmTable.objects.filter(pk=table.pk).update(status=status)
    html = page_of(client, table.get_absolute_url())
    assert not Elements(html).named("form", action=replace_action(table))
    assert "You can replace the file when this import has finished." in html
    # A form kept open in another tab is refused, and the page says why.
    response = client.post(
        replace_action(table),
        {"file": SimpleUploadedFile("f.csv", b"identifier\nB\n")},
        follow=True,
    )
    assert "still being imported" in response.content.decode()
    table.refresh_from_db()
    assert (table.status, table.new_file_name) == (status, "")


def test_a_finished_table_offers_a_styled_file_input_to_replace_its_rows(
    client, django_capture_on_commit_callbacks
):
    table = officers_table(client, django_capture_on_commit_callbacks, execute=True)
    assert table.status == FirmTable.Status.DONE
    html = page_of(client, table.get_absolute_url())
    page = Elements(html)
    assert page.named("form", action=replace_action(table))
    [file] = page.named("input", name="file")
    assert "form-control" in file["class"].split()
    assert file["accept"] == ".csv,.xlsx" and "required" in file
    assert page.named("label", **{"for": file["id"]})
    assert "when this import has finished" not in html


# 2. The way back to the owner ---------------------------------------------------------------


def owner_link(html: str) -> tuple[str, str]:
    match = re.search(r'Firm table of <a href="([^"]+)" id="table-owner">([^<]+)</a>', html)
    assert match, "the owner is not a link"
    return match.group(1), match.group(2)


def test_a_case_table_leads_back_to_its_case(client, django_capture_on_commit_callbacks):
    client.force_login(make_user("admin", staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, reverse("firms:upload-case", args=["sinos-valley"]))
    html = page_of(client, FirmTable.objects.get().get_absolute_url())
    href, text = owner_link(html)
    assert (href, text) == (reverse("cases:detail", args=["sinos-valley"]), "Sinos Valley shoes")
    assert client.get(href).status_code == 200


def test_an_assessment_table_leads_back_to_its_assessment_for_whoever_sees_it(
    client, django_capture_on_commit_callbacks
):
    table = officers_table(client, django_capture_on_commit_callbacks, execute=True)
    href, text = owner_link(page_of(client, table.get_absolute_url()))
    assert (href, text) == (
        reverse("checklist:scorecard", args=[table.assessment_id]),
        "Agra shoes (1995)",
    )
    assert client.get(href).status_code == 200
    # Shared with a colleague: the table and its assessment are theirs to read.
    colleague = make_user("colleague", officer=True)
    table.assessment.shared_with.add(colleague)
    client.force_login(colleague)
    assert owner_link(page_of(client, table.get_absolute_url()))[0] == href
    assert client.get(href).status_code == 200
