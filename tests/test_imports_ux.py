"""What an admin (and a non-admin) meets on the bundle pages and from `manage.py import_data`:
who is refused and how, every problem of a row at once, counts that say what is written, and
a refused upload's page with the form to upload the fixed file again."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.shortcuts import resolve_url

from cases import imports
from cases.models import CaseImport

from .test_bundles import column, edited, library_dump, set_cell
from .test_imports import sinos_with_location, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return User.objects.create_user("admin", password="pw-admin", is_staff=True)


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def bundle_pages(record: CaseImport) -> list[tuple[str, str]]:
    pk = record.pk
    return [
        ("get", "/library/imports/"),
        ("post", "/library/imports/"),
        ("get", "/library/imports/row/?table=clusters&key=x"),
        ("get", f"/library/imports/{pk}/"),
        ("post", f"/library/imports/{pk}/confirm/"),
        ("post", f"/library/imports/{pk}/undo/"),
        ("get", f"/library/imports/{pk}/file/"),
        ("get", "/library/bundles/template.xlsx"),
        ("get", "/library/bundles/sinos-valley.json"),
    ]


def test_a_signed_in_officer_is_told_only_admins_import_not_sent_to_the_admin_login(client, admin):
    record = imports.preview_upload(
        user=admin, filename="sinos.xlsx", content=sinos_with_location("Elsewhere")
    )
    client.force_login(User.objects.create_user("officer", password="pw-officer"))
    for method, url in bundle_pages(record):
        response = getattr(client, method)(url)
        assert response.status_code == 403, url
        html = response.content.decode()
        assert "Only admins can import case data" in html and "Not allowed" in html, url
    record.refresh_from_db()
    assert record.status == "previewed"  # the officer's confirm wrote nothing


def test_an_anonymous_visitor_is_sent_to_the_sites_login_and_back(client, admin):
    record = imports.preview_upload(
        user=admin, filename="sinos.xlsx", content=sinos_with_location("Elsewhere")
    )
    login = resolve_url(settings.LOGIN_URL)
    assert not login.startswith("/admin/")
    for method, url in bundle_pages(record):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{login}?next="), url
    response = client.get("/library/imports/row/?table=clusters&key=x")
    assert (
        response["Location"] == f"{login}?next=/library/imports/row/%3Ftable%3Dclusters%26key%3Dx"
    )


def percent_row(sheet) -> int:
    unit = column(sheet, "unit")
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, unit).value == "percent")


def test_a_row_with_a_share_over_100_and_a_passage_not_in_its_source_reports_both(
    admin_client,
):
    def change(book):
        sheet = book["figures"]
        change.row = percent_row(sheet)
        sheet.cell(change.row, column(sheet, "value")).value = 150
        sheet.cell(change.row, column(sheet, "passage")).value = "Words the paper never printed."

    html = upload(admin_client, edited(change)).content.decode()
    where = f"sinos.xlsx, Figures row {change.row}, column"
    assert f"{where} value</strong>: 150% is a share over 100" in html
    assert f"{where} passage</strong>: Not found verbatim in" in html
    assert "Confirm and write" not in html


def test_a_cell_that_cannot_be_read_does_not_hide_the_problems_of_other_rows(admin_client):
    def change(book):
        set_cell("figures", "year", "soon")(book)  # row 2: not a whole number
        sheet = book["figures"]
        change.row = percent_row(sheet)
        assert change.row != 2
        sheet.cell(change.row, column(sheet, "value")).value = 150

    html = upload(admin_client, edited(change)).content.decode()
    assert (
        "sinos.xlsx, Figures row 2, column year</strong>: &#x27;soon&#x27; is not a whole" in html
    )
    assert f"sinos.xlsx, Figures row {change.row}, column value</strong>: 150%" in html
    assert "is missing" not in html  # the unread cell is reported once, not again as missing


def test_the_preview_counts_unchanged_rows_apart_from_those_written(admin_client):
    html = upload(admin_client, sinos_with_location("Elsewhere")).content.decode()
    record = CaseImport.objects.get()
    assert record.summary.startswith("0 created, 1 updated, ")
    assert record.summary.endswith(" unchanged (not written), 0 deleted")
    assert f"<strong>Preview:</strong> {record.summary}." in html
    assert "would be written" not in html and "clusters: 0 created, 1 updated, " in html.lower()


def test_a_refused_upload_shows_its_error_count_once_the_errors_and_the_upload_form(
    admin_client,
):
    def change(book):
        set_cell("figures", "year", "soon")(book)
        set_cell("figures", "headline", "perhaps")(book)

    before = library_dump()
    html = upload(admin_client, edited(change)).content.decode()
    assert library_dump() == before
    assert html.count("2 error") == 1
    assert html.count("<li><strong>sinos.xlsx, Figures row 2, column") == 2
    form = html[html.index('id="upload-again"') - 200 :]
    assert 'action="/library/imports/"' in form and 'enctype="multipart/form-data"' in form
    assert 'type="file" name="bundle"' in form and "Upload and preview" in form
    fixed = upload(admin_client, sinos_with_location("Elsewhere")).content.decode()
    assert "Confirm and write" in fixed  # the form right there takes the fixed file


def test_the_command_names_the_file_first_in_every_error(tmp_path, capsys):
    def change(book):
        set_cell("figures", "year", "soon")(book)
        set_cell("linkages", "to_group", "glassworks", where="to_group")(book)

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(edited(change))
    with pytest.raises(CommandError, match="2 error"):
        call_command("import_data", str(bad))
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith("bad.xlsx, ") for line in lines), lines
    assert any(line.startswith("bad.xlsx, Figures row 2, column year: ") for line in lines)
    assert any(", column to_group: no actor group 'glassworks'" in line for line in lines)


def test_an_actor_group_row_with_a_bad_choice_and_a_passage_not_in_its_source_reports_both(
    admin_client,
):
    def change(book):
        set_cell("actor groups", "role", "wizard")(book)
        set_cell("actor groups", "passage", "Words the paper never printed.")(book)

    html = upload(admin_client, edited(change)).content.decode()
    where = "sinos.xlsx, Actor groups row 2, column"
    assert f"{where} role</strong>: Value &#x27;wizard&#x27; is not a valid choice." in html
    assert f"{where} passage</strong>: Not found verbatim in" in html


def test_a_case_items_own_check_runs_after_its_citations_check_failed():
    from django.core.exceptions import ValidationError

    from cases.models import ActorGroup, Cluster

    group = ActorGroup.objects.filter(case__slug="sinos-valley").first()
    group.cluster = Cluster.objects.exclude(case__slug="sinos-valley").first()
    group.passage = "Words the paper never printed."
    with pytest.raises(ValidationError) as caught:
        group.clean()
    assert set(caught.value.message_dict) == {"cluster", "passage"}


def test_the_file_as_uploaded_keeps_a_name_with_quotes_and_accents(admin_client):
    upload(admin_client, sinos_with_location("Elsewhere"), name='Sinos "édité".xlsx')
    record = CaseImport.objects.get()
    response = admin_client.get(f"/library/imports/{record.pk}/file/")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert "Sinos%20%22%C3%A9dit%C3%A9%22.xlsx" in disposition
