"""The assessment workbook edited offline and uploaded back (and the blank template), read
through the same answers service: all or nothing, problems by sheet, row and column."""

import html
import io
import json
import re
import zipfile

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checklist.answers import answers_of, create_assessment_from_answers, replace_answers
from checklist.forms import LIST_MAX_ROWS, FirmsForm, MarketsForm, _shown
from checklist.models import OFFICERS, STEPS, Assessment
from checklist.workbook import MAX_CELL_CHARS, MAX_SHEET_ROWS, _coded
from clusterdx.downloads import MAX_UNPACKED_BYTES

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
    assert (
        f"Sheet &#x27;Answers&#x27;, row {row}, column &#x27;answer&#x27; "
        "(Share of output exported (%)):" in page
    )  # the question too, not only its row
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


def problems_of(response) -> str:
    assert response.status_code == 200  # the form again, with its messages
    return html.unescape(response.content.decode())


def test_a_workbook_older_than_the_stored_answers_is_refused_and_changes_nothing(
    client, assessment
):
    book = download(client, assessment)
    answer_row(book["Answers"], "Share of output exported (%)")[2].value = 35
    # Meanwhile the answers are saved again (another tab, the API, a colleague who is admin).
    replace_answers(
        assessment=assessment, data=answers_of(assessment), revision=assessment.revision
    )
    assessment.refresh_from_db()
    stored = answers_of(assessment), assessment.revision
    page = problems_of(upload(client, book, reverse("checklist:upload", args=[assessment.pk])))
    assert "Sheet 'Assessment': the answers were saved since this workbook was downloaded" in page
    assessment.refresh_from_db()
    assert (answers_of(assessment), assessment.revision) == stored
    assert assessment.export_share == 80


@pytest.mark.parametrize("origin", ["template", "other assessment", "no sheet"])
def test_only_this_assessments_own_workbook_replaces_its_answers(
    client, officer, assessment, origin
):
    if origin == "template":
        book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("checklist:template")).content))
    else:
        book = download(client, assessment)
        if origin == "no sheet":
            del book["Assessment"]
        else:
            other = create_assessment_from_answers(owner=officer, data=ANSWERS)
            book["Assessment"]["A2"].value = other.pk
    before = answers_of(assessment), assessment.revision
    page = problems_of(upload(client, book, reverse("checklist:upload", args=[assessment.pk])))
    assert "this workbook was not downloaded from this assessment" in page
    assessment.refresh_from_db()
    assert (answers_of(assessment), assessment.revision) == before


def test_an_empty_file_a_huge_cell_an_unknown_sheet_or_a_long_list_is_explained(client, assessment):
    url = reverse("checklist:upload", args=[assessment.pk])
    before = answers_of(assessment), assessment.revision
    assert "The submitted file is empty" in problems_of(upload(client, b"", url))

    book = download(client, assessment)
    cell = answer_row(book["Answers"], "Key buyers")[2]
    cell.value = "x" * (MAX_CELL_CHARS + 1)
    page = problems_of(upload(client, book, url))
    assert f"Sheet 'Answers', row {cell.row}, column 3: {MAX_CELL_CHARS + 1:,} characters" in page

    book = download(client, assessment)
    book.create_sheet("My notes")
    assert "a sheet 'My notes' that is not one of an assessment workbook" in problems_of(
        upload(client, book, url)
    )

    book = download(client, assessment)
    groups = book["Groups of firms"]
    header = [c.value for c in groups[1]]
    for n in range(LIST_MAX_ROWS + 1 - 2):  # two rows are there already
        groups.append({header.index("Role") + 1: "Producers", header.index("Name") + 1: f"G{n}"})
    page = problems_of(upload(client, book, url))
    assert f"Sheet 'Groups of firms': {LIST_MAX_ROWS + 1} rows; a list holds at most" in page
    assessment.refresh_from_db()
    assert (answers_of(assessment), assessment.revision) == before


def test_a_sheet_of_endless_rows_is_refused_without_reading_them_all(client, assessment):
    book = download(client, assessment)
    book["Steps"].cell(row=MAX_SHEET_ROWS + 5, column=1).value = "x"
    page = problems_of(upload(client, book, reverse("checklist:upload", args=[assessment.pk])))
    assert f"Sheet 'Steps': more than {MAX_SHEET_ROWS} rows" in page


FULL_CASES = sorted((settings.BASE_DIR / "validation").glob("*.json"))


@pytest.mark.parametrize("path", FULL_CASES, ids=lambda p: p.stem)
def test_every_step_survives_the_round_trips_by_workbook_and_by_api(client, officer, path):
    # A cluster entered in full (every step, every list): what goes out comes back unchanged.
    data = json.loads(path.read_text())
    assessment = create_assessment_from_answers(owner=officer, data=data)
    assert set(assessment.steps_done) == set(STEPS)
    before = answers_of(assessment), assessment.revision
    response = upload(
        client, download(client, assessment), reverse("checklist:upload", args=[assessment.pk])
    )
    assert response.status_code == 302, re.findall(r"Sheet [^<]*", html.unescape(response.text))
    assessment.refresh_from_db()
    assert (answers_of(assessment), assessment.revision) == before

    url = f"/api/assessments/{assessment.pk}/"
    read = client.get(url).json()
    body = {"answers": read["answers"], "rows": read["rows"], "revision": read["revision"]}
    put = client.put(url, json.dumps(body), content_type="application/json")
    assert put.status_code == 200, put.content
    assessment.refresh_from_db()
    assert answers_of(assessment) == before[0]
    assert assessment.revision > before[1]  # a PUT is a save, even of the same answers


def test_ticked_options_are_read_back_even_when_an_options_words_hold_a_comma():
    field = MarketsForm().fields["competes_on"]
    shown = _shown(field, ["price", "delivery"])
    assert shown == "Price, Reliable, rapid delivery"
    assert _coded(field, shown) == ["price", "delivery"]
    assert _coded(field, "delivery, PRICE") == ["delivery", "price"]  # codes, any case
    assert _coded(field, "Price, Telepathy") == [
        "price",
        "Telepathy",
    ]  # left for the form to refuse


def test_text_the_download_guarded_against_formulas_comes_back_as_it_was(client, officer):
    data = json.loads(json.dumps(ANSWERS))
    data["answers"]["firms"]["large_firms"] = "=HYPERLINK(1) and -2 more"
    assessment = create_assessment_from_answers(owner=officer, data=data)
    book = download(client, assessment)
    question = str(FirmsForm()["large_firms"].label)
    assert answer_row(book["Answers"], question)[2].value == "'=HYPERLINK(1) and -2 more"
    before = answers_of(assessment), assessment.revision
    response = upload(client, book, reverse("checklist:upload", args=[assessment.pk]))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (answers_of(assessment), assessment.revision) == before


def test_a_small_file_that_unpacks_to_a_huge_one_is_refused_before_it_is_read(client, assessment):
    buffer = io.BytesIO()
    download(client, assessment).save(buffer)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.xml", b" " * (MAX_UNPACKED_BYTES + 1))
    assert len(buffer.getvalue()) < 200_000  # small to upload
    url = reverse("checklist:upload", args=[assessment.pk])
    page = problems_of(upload(client, buffer.getvalue(), url))
    assert "This workbook unpacks to 20 MB" in page


def test_an_approximate_figure_reads_about_n_and_comes_back_approximate(client, assessment):
    Assessment.objects.filter(pk=assessment.pk).update(export_share=40, export_share_approx=True)
    group = assessment.groups.order_by("pk").first()
    group.count, group.count_approx = 300, True
    group.save()
    assessment.refresh_from_db()
    url = reverse("checklist:upload", args=[assessment.pk])
    book = download(client, assessment)
    cell = answer_row(book["Answers"], "Share of output exported (%)")[2]
    assert str(cell.value) == "about 40"
    before = answers_of(assessment), assessment.revision
    assert upload(client, book, url).status_code == 302
    assessment.refresh_from_db()
    assert (answers_of(assessment), assessment.revision) == before  # unchanged: no new revision

    book = download(client, assessment)
    answer_row(book["Answers"], "Share of output exported (%)")[2].value = 35  # no "about"
    groups = book["Groups of firms"]
    header = [c.value for c in groups[1]]
    count_column = next(i for i, h in enumerate(header) if "umber" in str(h))
    assert str(groups.cell(row=2, column=count_column + 1).value) == "about 300"
    groups.cell(row=2, column=count_column + 1).value = "about 250"
    assert upload(client, book, url).status_code == 302
    assessment.refresh_from_db()
    group = assessment.groups.order_by("pk").first()
    assert (assessment.export_share, assessment.export_share_approx) == (35, False)
    assert (group.count, group.count_approx) == (250, True)


def test_a_tie_naming_its_institution_survives_the_workbook_round_trip(client, officer):
    from .test_api_assessments import with_a_tie_naming_its_institution

    assessment = create_assessment_from_answers(
        owner=officer, data=with_a_tie_naming_its_institution()
    )
    before = answers_of(assessment), assessment.revision
    book = download(client, assessment)
    linkages = book["Linkages"]
    header = [c.value for c in linkages[1]]
    column = header.index("Which institution") + 1
    assert linkages.cell(row=2, column=column).value == "Footwear Training Institute"
    response = upload(client, book, reverse("checklist:upload", args=[assessment.pk]))
    assert response.status_code == 302, response.content.decode()[-2000:]
    assessment.refresh_from_db()
    assert (answers_of(assessment), assessment.revision) == before
    assert assessment.ties.get().institution.name == "Footwear Training Institute"
