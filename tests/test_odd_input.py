"""Odd input gets a clear 4xx or a message, never a server error; bounded work per request.
Run on SQLite by default and on PostgreSQL with DATABASE_URL (PostgreSQL refuses NULs)."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from compare.forms import MAX_SUBJECTS, SEARCH_MAX_LENGTH
from tests.test_compare import make_assessment

pytestmark = pytest.mark.django_db

COMPARE = "/compare/"
CSV = "/compare/data.csv"
XLSX = "/compare/data.xlsx"
HUGE_ID = "9" * 4301  # Python refuses int() of more than 4,300 digits


@pytest.fixture
def admin(client):
    user = User.objects.create_user("ada", password="x", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def text(response) -> str:
    return response.content.decode("utf-8-sig")


def csv_subjects(response) -> list[str]:
    """The subjects of a comparison CSV, in order, read from its comparison table (one row per
    subject and feature). The CSV stacks the XLSX's sheets, each row naming its sheet in
    `table`; the ranking and chart tables name subjects in columns of their own."""
    rows = csv.DictReader(io.StringIO(text(response)))
    return list(dict.fromkeys(row["subject"] for row in rows if row["table"] == "Comparison"))


def test_a_case_asked_for_twice_is_compared_once(client):
    response = client.get(COMPARE + "?case=tiruppur&case=tiruppur")
    assert response.status_code == 200
    assert text(response).count('<th><a href="/cases/tiruppur/') == 1
    download = client.get(CSV + "?case=tiruppur&case=tiruppur")
    assert download.status_code == 200 and len(csv_subjects(download)) == 1


def test_an_assessment_asked_for_twice_is_compared_once(client, admin):
    mine = make_assessment(admin)
    response = client.get(COMPARE + f"?assessment={mine.pk}&assessment={mine.pk}")
    assert response.status_code == 200
    assert text(response).count(f'<th><a href="/assess/{mine.pk}/') == 1


@pytest.mark.parametrize(
    "value",
    ["²", pytest.param(HUGE_ID, id="4301-digits"), "-1", "0", "1.5", " 7", "9" * 20],
)
@pytest.mark.parametrize("url", [COMPARE, CSV, XLSX])
def test_an_assessment_id_that_is_no_id_is_left_out_with_a_message(client, admin, url, value):
    response = client.get(url, {"case": "tiruppur", "assessment": value})
    assert response.status_code == 200
    if url == COMPARE:
        assert "not one you may see" in text(response) and 'id="comparison"' in text(response)


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_a_download_of_only_junk_ids_is_a_clear_400(client, url):
    response = client.get(url, {"assessment": ["²", HUGE_ID]})
    assert response.status_code == 400
    assert "Choose at least one case or assessment" in text(response)


def subjects_asked(admin, extra=3):
    cases = ["sinos-valley", "leon-guadalajara", "tiruppur", "bangalore", "korea-chaebol-networks"]
    ids = [make_assessment(admin, name=f"C{n}").pk for n in range(MAX_SUBJECTS - 5 + extra)]
    return cases, ids


def test_compare_takes_at_most_max_subjects_and_says_so(client, admin):
    cases, ids = subjects_asked(admin)
    response = client.get(COMPARE, {"case": cases, "assessment": ids})
    html = text(response)
    assert response.status_code == 200
    assert f"Compare at most {MAX_SUBJECTS} cases and assessments at a time" in html
    assert html.count('<th><a href="') == MAX_SUBJECTS
    assert f"assessment {ids[-1]} (over the limit)" in html


def test_the_downloads_take_at_most_max_subjects(client, admin):
    cases, ids = subjects_asked(admin)
    subjects = csv_subjects(client.get(CSV, {"case": cases, "assessment": ids}))
    assert len(subjects) == MAX_SUBJECTS
    assert "C19 (1995)" in subjects and "C20 (1995)" not in subjects  # 25th = 20th assessment
    xlsx = client.get(XLSX, {"case": cases, "assessment": ids})
    rows = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Comparison"].iter_rows(
        values_only=True
    )
    header = next(rows)
    column = header.index("subject")
    assert len({row[column] for row in rows}) == MAX_SUBJECTS


def test_a_search_longer_than_the_limit_gets_a_message(client, admin):
    response = client.get(COMPARE, {"case": "tiruppur", "q": "x" * (SEARCH_MAX_LENGTH * 100)})
    assert response.status_code == 200
    html = text(response)
    assert f"Searches use at most {SEARCH_MAX_LENGTH} characters" in html
    assert 'id="comparison"' in html  # the comparison itself goes on


@pytest.mark.parametrize(
    "url",
    [
        COMPARE + "?q=%00",
        COMPARE + "?case=tiruppur&q=a%00b",
        COMPARE + "?case=%00",
        COMPARE + "?assessment=%00",
        CSV + "?case=tiruppur&q=%00",
        XLSX + "?case=%00",
        "/api/cases/%00/",
        "/api/cases/%00/scorecard/",
        "/cases/?%00=1",
    ],
)
def test_a_nul_anywhere_in_the_address_is_a_clear_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in text(response)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/cases/institution/?kind=%00",
        "/admin/cases/institution/?q=%00",
        "/admin/cases/casestudy/?q=%00",
    ],
)
def test_admin_filters_with_a_nul_are_a_clear_400(client, admin, url):
    assert client.get(url).status_code == 400


def test_form_data_with_a_nul_is_a_clear_400(client, admin):
    response = client.post(reverse("checklist:new"), {"main-name": "A\x00B"})
    assert response.status_code == 400


@pytest.mark.parametrize("slug", ["no such case", "x" * 300, "²", "..", "a b"])
def test_the_case_api_answers_404_for_a_slug_that_is_no_slug(
    client, slug, django_assert_num_queries
):
    for name in ("api:case-detail", "checklist:api-case-scorecard"):
        with django_assert_num_queries(0):  # text no slug can be is not even looked up
            response = client.get(reverse(name, args=[slug]))
        assert response.status_code == 404
        assert "error" in response.json()
