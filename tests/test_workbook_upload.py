"""The assessment workbook edited offline and uploaded back (and the blank template), read
through the same answers service: all or nothing, problems by sheet, row and column."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checklist.answers import answers_of, create_assessment_from_answers
from checklist.models import OFFICERS, Assessment

from .test_answers import ANSWERS
from .test_assessments import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    user = make_user("book-officer", OFFICERS)
    client.force_login(user)
    return user


@pytest.fixture
def assessment(officer):
    return create_assessment_from_answers(owner=officer, data=ANSWERS)


def download(client, assessment) -> openpyxl.Workbook:
    url = reverse("checklist:download", args=[assessment.pk, "scorecard.xlsx"])
    return openpyxl.load_workbook(io.BytesIO(client.get(url).content))


def upload(client, book_or_bytes, url):
    if isinstance(book_or_bytes, bytes):
        content = book_or_bytes
    else:
        buffer = io.BytesIO()
        book_or_bytes.save(buffer)
        content = buffer.getvalue()
    return client.post(url, {"workbook": SimpleUploadedFile("book.xlsx", content)})


def answer_row(sheet, question):
    return next(row for row in sheet.iter_rows(min_row=2) if row[1].value == question)


def test_editing_one_cell_offline_and_uploading_changes_that_answer(client, assessment):
    book = download(client, assessment)
    answer_row(book["Answers"], "Share of output exported (%)")[2].value = 35
    response = upload(client, book, reverse("checklist:upload", args=[assessment.pk]))
    assert response.status_code == 302, response.content.decode()[-3000:]
    assessment.refresh_from_db()
    assert assessment.export_share == 35
    assert assessment.groups.count() == 2  # the rest as it was


def test_uploading_the_unchanged_download_changes_nothing(client, assessment):
    before = answers_of(assessment), assessment.revision
    response = upload(
        client, download(client, assessment), reverse("checklist:upload", args=[assessment.pk])
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (answers_of(assessment), assessment.revision) == before


def test_a_filled_blank_template_makes_a_new_assessment(client, officer):
    template = client.get(reverse("checklist:template"))
    assert template.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    assert {"Answers", "Groups of firms", "Linkages", "Institutions"} <= set(book.sheetnames)
    sheet = book["Answers"]
    answer_row(sheet, "Cluster or network name")[2].value = "Template town"
    answer_row(sheet, "Sector")[2].value = "Bricks"
    answer_row(sheet, "Country")[2].value = "Nowhere"
    answer_row(sheet, "Year of the evidence")[2].value = 2001
    groups = book["Groups of firms"]
    header = [c.value for c in groups[1]]
    groups.append({header.index("Role") + 1: "Producers", header.index("Name") + 1: "Kilns"})
    response = upload(client, book, reverse("checklist:new-upload"))
    assert response.status_code == 302, response.content.decode()[-3000:]
    created = Assessment.objects.get(name="Template town")
    assert created.owner == officer
    assert [(g.role, g.name) for g in created.groups.all()] == [("producer", "Kilns")]
    assert "firms" in created.steps_done and "markets" not in created.steps_done


def test_errors_name_sheet_row_and_column_and_nothing_is_written(client, assessment):
    book = download(client, assessment)
    answer_row(book["Answers"], "Share of output exported (%)")[2].value = 180
    groups = book["Groups of firms"]
    header = [c.value for c in groups[1]]
    groups.cell(row=3, column=header.index("Role") + 1).value = "Wizards"
    response = upload(client, book, reverse("checklist:upload", args=[assessment.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    row = answer_row(book["Answers"], "Share of output exported (%)")[2].row
    assert f"Sheet &#x27;Answers&#x27;, row {row}, column &#x27;answer&#x27;" in page
    assert "Sheet &#x27;Groups of firms&#x27;, row 3, column &#x27;Role&#x27;" in page
    assessment.refresh_from_db()
    assert assessment.export_share == 80


def test_a_file_that_is_not_a_workbook_a_missing_sheet_or_an_unknown_column_is_explained(
    client, assessment
):
    url = reverse("checklist:upload", args=[assessment.pk])
    page = upload(client, b"name,answer\nx,y\n", url).content.decode()
    assert "not an Excel workbook" in page
    book = download(client, assessment)
    del book["Linkages"]
    assert "no sheet &#x27;Linkages&#x27;" in upload(client, book, url).content.decode()
    book = download(client, assessment)
    book["Institutions"].cell(row=1, column=30).value = "Colour"
    page = upload(client, book, url).content.decode()
    assert "&#x27;Colour&#x27; is not a column of this list" in page


def test_another_officer_cannot_upload_and_a_researcher_cannot_create(client, assessment):
    client.force_login(make_user("other-book-officer", OFFICERS))
    assert client.get(reverse("checklist:upload", args=[assessment.pk])).status_code == 404
    client.force_login(make_user("book-researcher", "Researchers"))
    assert client.get(reverse("checklist:new-upload")).status_code == 403
