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


# 3. The report's tables and sentences -------------------------------------------------------


def thousand_firms_and_one() -> str:
    """1,001 firms: 1,000 with two ties to other firms each, the last with none at all; one
    tie to an institution; half small, half large, the last with no size class; one head
    count."""
    rows = ["identifier,size_class,employees,firm_ties,institution_ties"]
    for n in range(1000):
        rows.append(
            f"F{n},{'small' if n < 500 else 'large'},{5 if n == 0 else ''},"
            f"F{(n + 1) % 1000};F{(n + 2) % 1000},{'SENAI' if n == 0 else ''}"
        )
    rows.append("F1000,,,,")
    return "\n".join(rows) + "\n"


@pytest.fixture
def report(client, django_capture_on_commit_callbacks) -> str:
    client.force_login(make_user("admin", staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        upload(
            client, reverse("firms:upload-case", args=["sinos-valley"]), thousand_firms_and_one()
        )
    table = FirmTable.objects.get()
    assert (table.status, table.row_count) == ("done", 1001)
    return page_of(client, table.get_absolute_url())


def table_of(html: str, table_id: str) -> str:
    match = re.search(rf'<table [^>]*id="{table_id}"[^>]*>(.*?)</table>', html, re.S)
    assert match, f"no table {table_id}"
    return match.group(0)


def rows_of(table: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr><th scope="row"[^>]*>([^<]*)</th><td[^>]*>([^<]*)</td></tr>', table)


def test_the_report_tables_have_their_captions_on_top_and_column_headers(report):
    for table_id, first_column in [("employee-bands", "Employees"), ("size-classes", "Size class")]:
        table = table_of(report, table_id)
        assert "caption-top" in re.search(r'class="([^"]*)"', table).group(1).split()
        assert re.search(r">\s*<caption>", table)  # the caption is the table's first child
        headers = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', table)
        assert headers == [first_column, "Firms"]


def test_size_classes_are_the_cases_own_in_its_order_with_the_blank_ones_last(report):
    table = table_of(report, "size-classes")
    assert rows_of(table) == [
        ("Very small", "0"),
        ("Small", "500"),
        ("Medium", "0"),
        ("Large", "500"),
        ("not given", "1"),
        ("All firms", "1,001"),
    ]


def test_employee_bands_are_named_by_head_count_not_by_the_cases_classes(report):
    table = table_of(report, "employee-bands")
    assert [label for label, _ in rows_of(table)] == [
        "up to 9 employees",
        "10-49 employees",
        "50-249 employees",
        "250 or more employees",
    ]
    assert "(micro)" not in report and "(small)" not in report
    assert "the report's own bands" in table and "1 firm gives a head count" in table


def test_the_ties_sentence_counts_ties_and_firms_with_plurals_and_separators(report):
    ties = re.sub(r"\s+", " ", re.search(r'<p id="ties">(.*?)</p>', report, re.S).group(1))
    assert ties == (
        "2.00 ties per firm: 2,000 ties to other firms, from 1,000 firms; "
        "1 tie to institutions, from 1 firm; 1 firm names none."
    )
    assert "What the table shows (1,001 firms)" in report
    assert "0 firms give an export share" in report
    assert "1,001 firms imported" in report


def test_notes_of_the_checks_count_firms_in_the_singular_and_plural():
    from firms.derived import counted

    assert counted(1, "firm") == "1 firm"
    assert counted(0, "firm") == "0 firms"
    assert counted(1000000, "tie") == "1,000,000 ties"
    assert counted(2, "class", "classes") == "2 classes"


def test_an_assessments_size_classes_are_its_own_words_most_firms_first_blank_last(
    client, django_capture_on_commit_callbacks
):
    officer = make_user("officer", officer=True)
    client.force_login(officer)
    url = reverse("firms:upload-assessment", args=[make_assessment(officer).pk])
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, url, "identifier,size_class\nA,big\nB,tiny\nC,tiny\nD,\n")
    html = page_of(client, FirmTable.objects.get().get_absolute_url())
    assert rows_of(table_of(html, "size-classes")) == [
        ("tiny", "2"),
        ("big", "1"),
        ("not given", "1"),
        ("All firms", "4"),
    ]
    assert "as the case defines them" not in html
