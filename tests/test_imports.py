"""The admin's bundle pages: only admins import; preview, then confirm; history; undo."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from cases import imports
from cases.bundles import case_objects, export_bundle
from cases.models import CaseImport, CaseStudy, Cluster, LibraryVersion, Source

from .test_bundles import library_dump

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_user("admin", password="pw-admin", is_staff=True))
    return client


def sinos_with_location(location: str) -> bytes:
    raw = export_bundle(case_objects(CaseStudy.objects.get(slug="sinos-valley")), "xlsx")
    book = load_workbook(io.BytesIO(raw))
    sheet = book["clusters"]
    col = [c.value for c in sheet[1]].index("location") + 1
    sheet.cell(2, col).value = location
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, content: bytes, name="sinos.xlsx"):
    return client.post(
        "/library/imports/", {"bundle": SimpleUploadedFile(name, content)}, follow=True
    )


def test_only_admins_reach_the_bundle_pages(client):
    urls = [
        "/library/imports/",
        "/library/bundles/sinos-valley.xlsx",
        "/library/bundles/template.zip",
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to the login
    client.force_login(User.objects.create_user("officer", password="pw-officer"))
    for url in urls:
        assert client.get(url).status_code == 403  # the site's "only admins" page
    before = library_dump()
    upload(client, sinos_with_location("Elsewhere"))
    assert not CaseImport.objects.exists() and library_dump() == before


def test_upload_shows_a_preview_and_writes_only_when_confirmed(admin_client):
    before = library_dump()
    page = upload(admin_client, sinos_with_location("Elsewhere"))
    html = page.content.decode()
    assert "Preview:" in html and "location: “" in html and "→ “Elsewhere”" in html
    assert library_dump() == before  # nothing written yet
    record = CaseImport.objects.get()
    assert record.status == "previewed" and record.cases == ["sinos-valley"]
    page = admin_client.post(f"/library/imports/{record.pk}/confirm/", follow=True)
    html = page.content.decode()
    assert f"Import #{record.pk} written." in html
    record.refresh_from_db()
    assert "0 created, 1 updated" in record.summary
    assert html.count(record.summary) == 1  # the page says it once, the message only "written"
    assert Cluster.objects.filter(case__slug="sinos-valley", location="Elsewhere").exists()
    record.refresh_from_db()
    assert record.status == "applied" and record.user.username == "admin"
    assert admin_client.get(f"/library/imports/{record.pk}/file/").content == bytes(record.content)


def test_a_bundle_with_an_error_lists_it_and_cannot_be_confirmed(admin_client):
    raw = export_bundle(case_objects(CaseStudy.objects.get(slug="sinos-valley")), "xlsx")
    book = load_workbook(io.BytesIO(raw))
    book["figures"]["A1"].value = "colour"
    out = io.BytesIO()
    book.save(out)
    html = upload(admin_client, out.getvalue()).content.decode()
    assert "sinos.xlsx, Figures, column &#x27;colour&#x27;</strong>: unknown column" in html
    assert "Confirm and write" not in html
    record = CaseImport.objects.get()
    assert imports.confirm_import(record=record).startswith("This import is refused")


def test_a_preview_made_before_another_change_is_made_again_not_confirmed(admin_client):
    upload(admin_client, sinos_with_location("Elsewhere"))
    record = CaseImport.objects.get()
    LibraryVersion.objects.record_change("someone else's edit")
    problem = imports.confirm_import(record=record)
    assert problem.startswith("The library changed since this preview was made")
    assert not Cluster.objects.filter(location="Elsewhere").exists()
    assert imports.confirm_import(record=record) is None  # the new preview, confirmed
    assert Cluster.objects.filter(location="Elsewhere").exists()


def test_undo_puts_the_case_back_and_is_recorded(admin_client):
    before = library_dump()
    upload(admin_client, sinos_with_location("Elsewhere"))
    record = CaseImport.objects.get()
    admin_client.post(f"/library/imports/{record.pk}/confirm/")
    page = admin_client.post(f"/library/imports/{record.pk}/undo/", follow=True)
    assert f"Import #{record.pk} was undone." in page.content.decode()
    assert library_dump() == before
    record.refresh_from_db()
    assert record.status == "undone" and record.undone_by.status == "applied"
    assert imports.undo_import(record=record, user=None).startswith("Only a written import")


def test_history_of_a_case_and_of_one_row(admin_client):
    upload(admin_client, sinos_with_location("Elsewhere"))
    record = CaseImport.objects.get()
    admin_client.post(f"/library/imports/{record.pk}/confirm/")
    html = admin_client.get("/library/imports/?case=sinos-valley").content.decode()
    assert f">{record.pk}</a>" in html and 'action="/library/imports/row/"' in html
    other = admin_client.get("/library/imports/?case=tiruppur").content.decode()
    assert "No imports yet." in other


ROW = "/library/imports/row/?case=sinos-valley&table=clusters&key="


def test_a_rows_history_lists_each_written_import_field_by_field_with_who_and_when(
    admin_client, django_assert_max_num_queries
):
    key = Cluster.objects.filter(case__slug="sinos-valley").order_by("id").first().key
    for location in ("Elsewhere", "Back again"):
        upload(admin_client, sinos_with_location(location))
        admin_client.post(f"/library/imports/{CaseImport.objects.latest('pk').pk}/confirm/")
    first, second = CaseImport.objects.order_by("pk")
    admin_client.post(f"/library/imports/{second.pk}/undo/")
    upload(admin_client, sinos_with_location("Only previewed"))  # wrote nothing: not listed
    undo = CaseImport.objects.get(undo_of=second)

    with django_assert_max_num_queries(6):  # session, user, the imports (one query), ...
        html = admin_client.get(ROW + key).content.decode()
    rows = html.split('id="row-history"')[1].split("<tr>")[2:]
    assert len(rows) == 3 and "Only previewed" not in html
    assert all(f"#{r.pk}</a>" in row for r, row in zip((undo, second, first), rows, strict=True))
    assert "location: “Back again” → “Elsewhere”" in rows[0] and "(undo of #" in rows[0]
    assert "location: “Elsewhere” → “Back again”" in rows[1] and "<td>admin</td>" in rows[1]
    assert "→ “Elsewhere”" in rows[2] and str(first.applied_at.year) in rows[2]

    other_row = admin_client.get(ROW + "no-such-key").content.decode()
    assert "No written import created, changed or deleted this row" in other_row
    bad = admin_client.get("/library/imports/row/?table=nonsense&key=x").content.decode()
    assert "Select a valid choice" in bad


def test_the_preview_and_the_case_page_link_a_rows_history(admin_client):
    key = Cluster.objects.filter(case__slug="sinos-valley").order_by("id").first().key
    page = upload(admin_client, sinos_with_location("Elsewhere")).content.decode()
    assert (
        f'href="/library/imports/row/?case=sinos-valley&amp;table=clusters&amp;key={key}"' in page
    )
    case_page = admin_client.get("/cases/sinos-valley/").content.decode()
    assert 'action="/library/imports/row/"' in case_page and 'name="case" value="sinos-valley"' in (
        case_page
    )


def test_only_admins_read_a_rows_history(client):
    url = ROW + "sinos-valley"
    assert client.get(url).status_code == 302
    client.force_login(User.objects.create_user("officer", password="pw-officer"))
    assert client.get(url).status_code == 403
    assert "/library/imports/row/" not in client.get("/cases/sinos-valley/").content.decode()


def test_an_unchanged_upload_says_nothing_would_change_and_offers_no_confirm(admin_client):
    unchanged = export_bundle(case_objects(CaseStudy.objects.get(slug="sinos-valley")), "xlsx")
    html = upload(admin_client, unchanged).content.decode()
    assert 'id="nothing-changes"' in html and "Nothing would change" in html
    assert "Confirm and write" not in html
    changed = upload(admin_client, sinos_with_location("Elsewhere")).content.decode()
    assert "Confirm and write" in changed and "Nothing would change" not in changed


def test_undo_asks_first_and_says_what_it_does(admin_client):
    page = upload(admin_client, sinos_with_location("Elsewhere"))
    record = CaseImport.objects.latest("pk")
    admin_client.post(f"/library/imports/{record.pk}/confirm/")
    html = admin_client.get(f"/library/imports/{record.pk}/").content.decode()
    assert '<details class="mb-2" id="undo">' in html
    assert f"Yes, undo import #{record.pk}" in html and "sinos-valley" in html
    assert page.status_code == 200


def _sheet_with(raw: bytes, sheet_name: str, row_key: str, column: str, value) -> bytes:
    """The workbook with one cell changed: `column` of the row whose first column is row_key."""
    book = load_workbook(io.BytesIO(raw))
    sheet = book[sheet_name]
    header = [c.value for c in sheet[1]]
    slug_col = header.index("slug") + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, slug_col).value == row_key:
            sheet.cell(row, header.index(column) + 1).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_source_text_is_kept_by_a_blank_cell_and_removed_by_the_clear_marker(
    admin_client, tmp_path
):
    from .test_sources import WITH_TEXT, case, load

    assert load(tmp_path, [WITH_TEXT, case("notes", line_from=2, line_to=2)]).ok
    text = Source.objects.get(slug="notes").text
    raw = export_bundle(case_objects(CaseStudy.objects.get(slug="sixth")), "xlsx")

    blank = upload(admin_client, _sheet_with(raw, "sources", "notes", "text", None))
    assert "Nothing would change" in blank.content.decode()
    assert Source.objects.get(slug="notes").text == text

    cleared = _sheet_with(raw, "sources", "notes", "text", "(clear)")
    refused = upload(admin_client, cleared).content.decode()  # the case still cites its lines
    assert "has no stored text to number lines in" in refused
    # Without its text the source is cited by locator: the case row says where, in words.
    for column, value in (("line_from", None), ("line_to", None), ("locator", "notes, p. 2")):
        cleared = _sheet_with(cleared, "case", "sixth", column, value)
    html = upload(admin_client, cleared).content.decode()
    assert "text: “First line of the notes." in html and "Last line.” → “”" in html
    record = CaseImport.objects.filter(status="previewed").latest("pk")
    admin_client.post(f"/library/imports/{record.pk}/confirm/")
    assert Source.objects.get(slug="notes").text == ""

    admin_client.post(f"/library/imports/{record.pk}/undo/")
    assert Source.objects.get(slug="notes").text == text
    assert CaseStudy.objects.get(slug="sixth").line_from == 2


def test_the_imports_page_asks_which_case_a_rows_history_is_of(admin_client):
    html = admin_client.get("/library/imports/").content.decode()
    form = html.split('aria-label="History of one row"')[1].split("</form>")[0]
    assert '<label class="form-label small" for="history-case">Case</label>' in form
    assert '<option value="">Any case</option>' in form
    assert '<option value="sinos-valley">' in form and '<option value="tiruppur">' in form
    # Within one case's history the case is given: no choice to make.
    of_case = admin_client.get("/library/imports/?case=tiruppur").content.decode()
    form = of_case.split('aria-label="History of one row"')[1].split("</form>")[0]
    assert 'name="case" value="tiruppur"' in form and 'id="history-case"' not in form


def test_a_rows_history_of_an_unknown_case_says_so_and_a_blank_case_means_any(admin_client):
    html = admin_client.get("/library/imports/row/?case=atlantis&table=clusters&key=x")
    html = html.content.decode()
    assert "No case &#x27;atlantis&#x27; in the library or in any import" in html
    assert 'id="row-history"' not in html
    html = admin_client.get("/library/imports/row/?case=&table=clusters&key=x").content.decode()
    assert 'id="row-history"' in html and "in any case" in html


def test_the_upload_comes_before_the_download_links_and_headings_keep_their_order(admin_client):
    html = admin_client.get("/library/imports/").content.decode()
    main = html.split("<main", 1)[1]
    # Tab from the top: the file input is reached before any download link (every case has four).
    assert 'href="/library/bundles/' in main
    assert main.index('type="file"') < main.index('href="/library/bundles/')
    levels = re.findall(r"<h([1-6])", main)
    assert levels[0] == "1" and all(
        int(b) <= int(a) + 1 for a, b in zip(levels, levels[1:], strict=False)
    )
