"""Downloads: no cell a user typed can run as a formula in a spreadsheet; numbers stay numbers."""

import csv
import io
import math
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from checklist.models import Assessment, AssessmentGroup, AssessmentInstitution, AssessmentTie
from clusterdx.downloads import FORMULA_STARTS, neutralise, neutralised, to_csv, to_xlsx

NAME = '=HYPERLINK("http://example.com","n")'
REGION = "=2+3"
GROUP = "@SUM(A1)"
INSTITUTION = "-2+3"
DESCRIPTION = "+cmd|' /C calc'!A0"


def formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


# The helper, without a database.


@pytest.mark.parametrize(
    "text", ["=", "=1+1", "+1", "-", "-2+3", "@SUM(A1)", "\t=1", "\r=1", NAME, DESCRIPTION]
)
def test_text_starting_like_a_formula_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "text",
    # The rule looks at the first character only: a formula sign inside text is harmless, as
    # is one after a space (Excel and LibreOffice read " =1" as text); an apostrophe already
    # there is kept as typed, and the empty cell stays empty.
    ["", "a=b", " =1+1", "'=1", "Agra shoe cluster", "50%", "208-209", "\n=1", "é=1"],
)
def test_other_text_is_left_as_typed(text):
    assert neutralise(text) == text


@pytest.mark.parametrize("number", [-3, -0.5, 0, 7, 2.5, Decimal("-1.25"), np.int64(-4), True])
def test_numbers_are_never_prefixed(number):
    assert neutralise(number) is number


def test_missing_values_stay_missing():
    assert neutralise(None) is None and math.isnan(neutralise(float("nan")))


def test_a_frame_is_neutralised_cell_by_cell_and_heading_by_heading_without_change_to_it():
    frame = pd.DataFrame(
        {"name": ["=1+1", "plain", None], "score": [-3.5, 4.0, None], "=head": [1, -2, 3]}
    )
    before = frame.copy()
    safe = neutralised(frame)
    assert list(safe.columns) == ["name", "score", "'=head"]
    assert list(safe["name"].iloc[:2]) == ["'=1+1", "plain"] and pd.isna(safe["name"].iloc[2])
    assert safe["score"].dtype.kind == "f" and safe["score"].iloc[0] == -3.5
    assert list(safe["'=head"]) == [1, -2, 3]
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is untouched


def test_a_mixed_column_keeps_its_numbers_and_neutralises_its_text():
    safe = neutralised(pd.DataFrame({"point": [1, -2, "overall", "-x"]}))
    assert list(safe["point"]) == [1, -2, "overall", "'-x"]


def test_xlsx_writer_keeps_numbers_numeric_and_writes_no_formula():
    frame = pd.DataFrame({"text": ["=1+1", "-2"], "number": [-2, 3], "share": [-0.5, 80.0]})
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx({"Sheet": frame})))
    cells = [cell for row in book["Sheet"].iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    rows = list(book["Sheet"].iter_rows(values_only=True))
    assert rows[1:] == [("'=1+1", -2, -0.5), ("'-2", 3, 80)]


def test_csv_writer_prefixes_text_and_not_numbers():
    frame = pd.DataFrame({"text": ["@x", "ok"], "number": [-2, 3]})
    rows = list(csv.reader(io.StringIO(to_csv(frame).decode("utf-8-sig"))))
    assert rows == [["text", "number"], ["'@x", "-2"], ["ok", "3"]]


def test_nothing_else_in_the_app_writes_csv_or_spreadsheets():
    # Every download goes through clusterdx.downloads; a new writer elsewhere would bypass it.
    root = Path(__file__).resolve().parent.parent
    writers = re.compile(r"\.to_csv\(|\.to_excel\(|ExcelWriter|csv\.writer|DictWriter|openpyxl")
    offenders = [
        str(path.relative_to(root))
        for folder in ("cases", "checklist", "compare", "clusterdx")
        for path in (root / folder).rglob("*.py")
        if path.name != "downloads.py" and writers.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# Every download, through the test client.


@pytest.fixture
def hostile(db, client):
    """An assessment whose every free-text answer looks like a formula, seen by its owner."""
    owner = User.objects.create_user("olga", password="x", is_staff=True)
    assessment = Assessment.objects.create(
        owner=owner,
        name=NAME,
        region=REGION,
        country="-India",
        sector="@Shoes",
        evidence_year=1995,
        producer_count=5000,
        export_share=Decimal("30"),
        large_firms="=1+1",
        steps_done=["profile", "firms", "linkages", "institutions", "markets", "policy"],
    )
    AssessmentGroup.objects.create(
        assessment=assessment, role="producer", name=GROUP, count=5000, share_of_firms=80
    )
    AssessmentGroup.objects.create(assessment=assessment, role="stage_unit", name="\tStage units")
    AssessmentInstitution.objects.create(
        assessment=assessment, name=INSTITUTION, kind="trade_fair", services="+services"
    )
    AssessmentTie.objects.create(
        assessment=assessment,
        direction="backward",
        nature="subcontracting",
        from_role="producer",
        to_role="stage_unit",
        description=DESCRIPTION,
    )
    client.force_login(owner)
    return assessment


def csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def xlsx_cells(content: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


def assert_no_formula_in_xlsx(content: bytes) -> list:
    cells = xlsx_cells(content)
    formulas = [(c.parent.title, c.coordinate, c.value) for c in cells if c.data_type == "f"]
    assert formulas == []
    assert [c.value for c in cells if formula_like(c.value)] == []
    return cells


def assessment_downloads(client, assessment) -> dict[str, bytes]:
    files = {}
    for filename in ("scorecard.csv", "answers.csv", "scorecard.xlsx"):
        response = client.get(reverse("checklist:download", args=[assessment.pk, filename]))
        assert response.status_code == 200
        files[filename] = response.content
    return files


def test_assessment_csvs_prefix_every_formula_like_answer(client, hostile):
    files = assessment_downloads(client, hostile)
    scores, answers = csv_cells(files["scorecard.csv"]), csv_cells(files["answers.csv"])
    for cells in (scores, answers):
        assert [cell for cell in cells if formula_like(cell)] == []
    # The overall row names the cluster; the answers hold every hostile text, each prefixed.
    assert any(cell.startswith("'" + NAME) for cell in scores)
    for text in (NAME, REGION, GROUP, INSTITUTION, DESCRIPTION, "\tStage units", "=1+1"):
        assert "'" + text in answers


def test_assessment_xlsx_has_no_formula_and_keeps_numbers_numeric(client, hostile):
    cells = assert_no_formula_in_xlsx(assessment_downloads(client, hostile)["scorecard.xlsx"])
    values = {c.value for c in cells}
    for text in (NAME, REGION, GROUP, INSTITUTION, DESCRIPTION):
        assert "'" + text in values
    book = openpyxl.load_workbook(
        io.BytesIO(assessment_downloads(client, hostile)["scorecard.xlsx"])
    )
    groups = list(book["Groups of firms"].iter_rows(values_only=True))
    assert groups[1][2:4] == (5000, 80.0)  # counts and shares as numbers, not text
    scores = [row[3] for row in book["Scorecard"].iter_rows(min_row=2, values_only=True)]
    assert any(isinstance(score, int | float) for score in scores)


def compare_downloads(client, assessment) -> dict[str, bytes]:
    query = f"?case=sinos-valley&assessment={assessment.pk}"
    files = {}
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("compare:download", args=[fmt]) + query)
        assert response.status_code == 200
        files[fmt] = response.content
    for chart in ("scores", "linkages", "institutions", "sizes", "firms", "exports"):
        url = reverse("compare:download", args=["csv"]) + query + f"&chart={chart}"
        response = client.get(url)
        assert response.status_code == 200
        files[f"chart {chart}"] = response.content
    return files


def test_comparison_downloads_have_no_formula_and_keep_numbers_numeric(client, hostile):
    files = compare_downloads(client, hostile)
    for name, content in files.items():
        if name == "xlsx":
            continue
        assert [cell for cell in csv_cells(content) if formula_like(cell)] == [], name
    assert any(cell.startswith("'" + NAME) for cell in csv_cells(files["csv"]))
    assert any(cell.startswith("'" + NAME) for cell in csv_cells(files["chart scores"]))
    cells = assert_no_formula_in_xlsx(files["xlsx"])
    assert any(isinstance(c.value, str) and c.value.startswith("'" + NAME) for c in cells)
    book = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    scores = list(book["Chart scores"].iter_rows(values_only=True))
    score_column = scores[0].index("score")
    assert all(
        isinstance(row[score_column], int | float)
        for row in scores[1:]
        if row[score_column] is not None
    )
