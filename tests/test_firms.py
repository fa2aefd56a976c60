"""Firm tables: upload, validate every row, write once, derive, check, in the background."""

import io
import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from cases.models import CaseStudy
from checklist.models import OFFICERS, Assessment, AssessmentGroup
from firms import derived, importer
from firms.importer import import_firm_table
from firms.models import FirmRecord, FirmTable

pytestmark = pytest.mark.django_db

HEADER = "identifier,name,group,size_class,employees,founding_year,output,export_share,buyer_type"
GOOD = (
    HEADER + "\nF1,Calçados Um,shoe-producers,small,40,1971,1000,80,foreign_buyers\nF2,,,,5,,,,\n"
)


@pytest.fixture(autouse=True)
def kept_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_user(username, *, staff=False, officer=False) -> User:
    user = User.objects.create_user(username, password="pw-" + username, is_staff=staff)
    if officer:
        user.groups.add(Group.objects.get(name=OFFICERS))
    return user


def make_assessment(owner, **fields) -> Assessment:
    assessment = Assessment.objects.create(
        owner=owner,
        name="Agra shoes",
        country="India",
        sector="Shoes",
        evidence_year=1995,
        **fields,
    )
    AssessmentGroup.objects.create(assessment=assessment, role="producer", name="Shoemakers")
    return assessment


def case_table(admin=None) -> FirmTable:
    case = CaseStudy.objects.get(slug="sinos-valley")
    return FirmTable.objects.create(
        case=case,
        cluster=case.clusters.get(key="sinos-valley"),
        title="Test survey",
        citation="A test survey, 1994",
        uploaded_by=admin or make_user("admin", staff=True),
        file_name="firms.csv",
    )


def write(tmp_path, name: str, content) -> str:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def dump(table) -> list[tuple]:
    return list(FirmRecord.objects.filter(table=table).order_by("pk").values_list())


# Reading and validating -------------------------------------------------------------------


def test_clean_csv_stores_every_firm_with_its_source_row(tmp_path):
    table = case_table()
    report = import_firm_table(table, write(tmp_path, "firms.csv", GOOD))
    assert report.ok, report.errors
    assert report.rows == 2
    first, second = FirmRecord.objects.filter(table=table).order_by("source_row")
    assert (first.identifier, first.name, first.source_row) == ("F1", "Calçados Um", 2)
    assert (first.employees, first.founding_year, float(first.export_share)) == (40, 1971, 80.0)
    # A blank cluster is the table's cluster; blank numbers stay unknown, not zero.
    assert first.cluster == second.cluster == "sinos-valley"
    assert (second.source_row, second.employees, second.export_share) == (3, 5, None)
    table.refresh_from_db()
    assert table.row_count == 2


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_is_read_like_csv_with_true_row_numbers(tmp_path):
    content = xlsx_bytes(
        [
            ["identifier", "employees", "founding_year"],
            ["A", 12, 1995],
            [None, None, None],
            ["B", 3, None],
        ]
    )
    table = case_table()
    report = import_firm_table(table, write(tmp_path, "firms.xlsx", content))
    assert report.ok, report.errors
    rows = list(
        table.records.order_by("source_row").values_list(
            "identifier", "source_row", "founding_year"
        )
    )
    assert rows == [("A", 2, 1995), ("B", 4, None)]


def test_xlsx_shares_formatted_as_percentages_read_as_the_sheet_shows_them(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["identifier", "export_share", "employees"])
    sheet.append(["A", 0.45, 12])
    sheet.append(["B", 80, 0.5])  # a plain 80 means 80%; a plain 0.5 employees is not a share
    sheet["B2"].number_format = "0%"
    sheet["C3"].number_format = "0.00"
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = case_table()
    report = import_firm_table(table, write(tmp_path, "firms.xlsx", buffer.getvalue()))
    assert [(e.row, e.column) for e in report.errors] == [(3, "employees")]
    sheet["C3"].value = 5
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_firm_table(table, write(tmp_path, "firms.xlsx", buffer.getvalue()))
    assert report.ok, report.errors
    shares = table.records.order_by("source_row").values_list("identifier", "export_share")
    assert list(shares) == [("A", 45), ("B", 80)]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_utf16_and_byte_order_mark_are_read(tmp_path, encoding):
    table = case_table()
    report = import_firm_table(table, write(tmp_path, "firms.csv", GOOD.encode(encoding)))
    assert report.ok, report.errors
    assert table.records.get(identifier="F1").name == "Calçados Um"


def test_utf16_file_reports_errors_by_row_too(tmp_path):
    content = (HEADER + "\nF1,,,,many,,,,\n").encode("utf-16")
    report = import_firm_table(case_table(), write(tmp_path, "firms.csv", content))
    assert [(e.row, e.column) for e in report.errors] == [(2, "employees")]


BAD_FILES = {
    "wrong type": (
        "firms.csv",
        HEADER + "\nF1,,,,40,,,,\nF2,,,,many,,,,\n",
        3,
        "employees",
        "'many' is not a whole number",
    ),
    "decimal comma": (
        "firms.csv",
        HEADER + '\nF1,,,,,,"12,5",,\n',
        2,
        "output",
        "use a point for decimals",
    ),
    "unknown column": (
        "firms.csv",
        "identifier,colour\nF1,red\n",
        1,
        "colour",
        "unknown column 'colour'",
    ),
    "missing identifier": (
        "firms.csv",
        HEADER + "\nF1,,,,,,,,\n,Nameless,,,,,,,\n",
        3,
        "identifier",
        "missing",
    ),
    "unknown group": (
        "firms.csv",
        HEADER + "\nF1,,weavers,,,,,,\n",
        2,
        "group",
        "no group 'weavers'",
    ),
    "unknown buyer type": (
        "firms.csv",
        HEADER + "\nF1,,,,,,,,aliens\n",
        2,
        "buyer_type",
        "not a buyer type",
    ),
    "duplicate in a chunk": (
        "firms.csv",
        HEADER + "\nF1,,,,,,,,\nF1,,,,,,,,\n",
        3,
        "identifier",
        "'F1' is already on row 2",
    ),
    "share over 100": (
        "firms.csv",
        HEADER + "\nF1,,,,,,,120,\n",
        2,
        "export_share",
        "120 is over 100",
    ),
    "negative employees": (
        "firms.csv",
        HEADER + "\nF1,,,,-3,,,,\n",
        2,
        "employees",
        "-3 is below 0",
    ),
    "founded in the future": (
        "firms.csv",
        HEADER + "\nF1,,,,,2999,,,\n",
        2,
        "founding_year",
        "2999 is over",
    ),
    "a first row with a cell too many": (
        "firms.csv",
        HEADER + "\nF1,a,,,,,,,,surplus\n",
        None,
        "",
        "row 2: more cells than the 9 columns the header names",
    ),
    "a later row with two cells too many": (
        "firms.csv",
        HEADER + "\nF1,a,,,,,,,\nF2,a,,,,,,,,x,y\n",
        None,
        "",
        "row 3: 11 cells, more than the 9 columns",
    ),
    "a repeated column name": (
        "firms.csv",
        "identifier,name,name\nF1,a,b\n",
        1,
        "name",
        "column 'name' appears more than once",
    ),
    "huge cell": (
        "firms.csv",
        HEADER + "\nF1," + "x" * 100_000 + ",,,,,,,\n",
        2,
        "name",
        "100,000 characters; at most 200",
    ),
    "csv named xlsx": (
        "firms.xlsx",
        GOOD,
        None,
        "",
        "is not an Excel workbook (.xlsx), although its name says so",
    ),
    "workbook named csv": (
        "firms.csv",
        xlsx_bytes([["identifier"], ["F1"]]),
        None,
        "",
        "is a zip or Excel workbook, not CSV",
    ),
    "binary named csv": ("firms.csv", b"\x00\x01\x02garbage", None, "", "not CSV text"),
    "not utf-8": (
        "firms.csv",
        (HEADER + "\nF1,Cal\xe7ados,,,,,,,\n").encode("latin-1"),
        None,
        "",
        "not UTF-8",
    ),
    "empty file": ("firms.csv", b"", None, "", "is empty"),
    "header only": ("firms.csv", HEADER + "\n", None, "", "has a header but no firms"),
    "other extension": ("firms.txt", GOOD, None, "", "upload a .csv or .xlsx file"),
}


@pytest.mark.parametrize("case", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_each_error_is_reported_by_row_and_column_and_changes_nothing(tmp_path, case):
    name, content, row, column, words = case
    table = case_table()
    assert import_firm_table(table, write(tmp_path, "before.csv", GOOD)).ok
    before = dump(table)

    report = import_firm_table(table, write(tmp_path, name, content), file_name=name)

    assert not report.ok
    first = report.errors[0]
    assert (first.row, first.column) == (row, column), report.errors
    assert words in first.message
    assert dump(table) == before
    table.refresh_from_db()
    assert table.row_count == 2


def test_a_trailing_comma_is_not_a_cell_too_many(tmp_path):
    table = case_table()
    report = import_firm_table(
        table, write(tmp_path, "firms.csv", HEADER + "\nF1,Um,,,40,,,,,\nF2,,,,,,,,\n")
    )
    assert report.ok, report.errors
    assert list(table.records.order_by("source_row").values_list("name", "employees")) == [
        ("Um", 40),
        ("", None),
    ]


def test_duplicate_identifiers_are_found_across_chunks(tmp_path):
    rows = "\n".join(f"F{n},,,,,,,," for n in [1, 2, 3, 4, 2])
    report = import_firm_table(
        case_table(), write(tmp_path, "f.csv", HEADER + "\n" + rows), chunk_rows=2
    )
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (6, "identifier", "'F2' is already on an earlier row")
    ]
    assert not FirmRecord.objects.exists()


def test_errors_stop_at_the_limit(tmp_path):
    rows = "\n".join(f"F{n},,,,many,,,," for n in range(300))
    report = import_firm_table(
        case_table(), write(tmp_path, "f.csv", HEADER + "\n" + rows), chunk_rows=50
    )
    assert len(report.errors) == importer.MAX_ERRORS
    assert report.stopped_early


def test_reimport_replaces_the_rows(tmp_path):
    table = case_table()
    import_firm_table(table, write(tmp_path, "a.csv", GOOD))
    report = import_firm_table(table, write(tmp_path, "b.csv", HEADER + "\nF9,,,,,,,,\n"))
    assert report.ok
    assert list(table.records.values_list("identifier", flat=True)) == ["F9"]


def test_assessment_tables_check_its_own_groups(tmp_path):
    officer = make_user("officer", officer=True)
    assessment = make_assessment(officer)
    table = FirmTable.objects.create(
        assessment=assessment, title="t", citation="c", uploaded_by=officer, file_name="f.csv"
    )
    content = (
        "identifier,cluster,group,size_class\nA,Agra shoes,Shoemakers,tiny\nB,Elsewhere,Tanners,\n"
    )
    report = import_firm_table(table, write(tmp_path, "f.csv", content))
    assert [(e.row, e.column) for e in report.errors] == [(3, "cluster"), (3, "group")]


# Derived numbers --------------------------------------------------------------------------


def generated_frame(rows: int) -> pd.DataFrame:
    n = pd.RangeIndex(rows)
    return pd.DataFrame(
        {
            "identifier": "F" + n.astype(str),
            "size_class": pd.Series(["small", "medium", "large", ""] * rows)[:rows],
            "employees": (n * 7) % 400,
            "output": (n % 50 + 1) * 10,
            "export_share": (n % 101).where(n % 9 != 0),
            "firm_ties": pd.Series(["", "F1", "F1;F2", "F3; ;F4;"] * rows)[:rows],
            "institution_ties": pd.Series(["SENAI", "", "", "ABICALÇADOS;SENAI"] * rows)[:rows],
        }
    )


def test_a_few_thousand_firms_are_aggregated_correctly(tmp_path):
    frame = generated_frame(3000)
    path = tmp_path / "f.csv"
    frame.to_csv(path, index=False)
    table = case_table()
    assert import_firm_table(table, path, chunk_rows=700).ok

    summary = derived.summarise(table)

    shares = frame["export_share"]
    weighted = (shares * frame["output"]).sum() / frame["output"][shares.notna()].sum()
    assert summary["firms"] == 3000
    assert summary["mean_export_share"] == pytest.approx(shares.mean())
    assert summary["weighted_export_share"] == pytest.approx(weighted)
    bands = {band["band"]: band["firms"] for band in summary["bands"]}
    assert bands["up to 9 employees"] == int((frame["employees"] <= 9).sum())
    assert (
        bands["250 or more employees"] == int((frame["employees"] >= 250).sum()) == summary["large"]
    )
    assert sum(bands.values()) == 3000
    # The case's classes in its order and words; the blank ones last, so the rows sum up.
    assert [(r["label"], r["firms"]) for r in summary["size_classes"]] == [
        ("Very small", 0),
        ("Small", 750),
        ("Medium", 750),
        ("Large", 750),
        ("not given", 750),
    ]
    # "" -> 0, "F1" -> 1, "F1;F2" -> 2, "F3; ;F4;" -> 2 (blank items are not ties)
    assert summary["firm_ties"] == 750 * (0 + 1 + 2 + 2)
    assert summary["institution_ties"] == 750 * (1 + 0 + 0 + 2)
    assert summary["isolated"] == 750 * 0 + 0  # every pattern has a tie of one kind or other
    assert summary["ties_per_firm"] == pytest.approx((750 * 5 + 750 * 3) / 3000)


def test_case_figure_that_disagrees_is_flagged(tmp_path):
    table = case_table()
    import_firm_table(table, write(tmp_path, "f.csv", GOOD))
    checks = derived.check_summary(table, derived.summarise(table))
    # Sinos Valley: "about 1,800 firms"; a two-firm table is far off.
    assert any(c.stated == 1800 and c.derived == 2 and not c.agrees for c in checks)


def _tiruppur_table(tmp_path, rows: str) -> FirmTable:
    case = CaseStudy.objects.get(slug="tiruppur")
    table = FirmTable.objects.create(
        case=case, title="Survey", citation="test", uploaded_by=make_user("admin", staff=True),
        file_name="f.csv",
    )  # fmt: skip
    assert import_firm_table(table, write(tmp_path, "f.csv", rows)).ok
    return table


def test_a_tiruppur_table_is_checked_against_the_latest_count_not_the_history(tmp_path):
    table = _tiruppur_table(tmp_path, "identifier\n" + "\n".join(f"F{i}" for i in range(2500)))
    counts = [
        c
        for c in derived.check_summary(table, derived.summarise(table))
        if "unit" in c.what or "firm" in c.what
    ]
    # 1993's "about 2,500 knitwear and garment making units" (the paper counts firms as
    # units), not 1953's "over 100 firms"; the table gives no groups, so all its firms count.
    assert [(c.what, c.stated, c.derived, c.agrees) for c in counts] == [
        ("Knitwear and garment making units (about 2,500 units, 1993)", 2500, 2500, True)
    ]
    assert "all counted" in counts[0].note


def test_a_count_of_a_producer_group_is_checked_against_the_firms_of_that_group(tmp_path):
    rows = [f"G{i},garment-producers" for i in range(2400)] + [
        f"P{i},printing-units" for i in range(300)
    ]
    table = _tiruppur_table(tmp_path, "identifier,group\n" + "\n".join(rows + ["N1,"]))
    (count,) = [
        c for c in derived.check_summary(table, derived.summarise(table)) if "1993" in c.what
    ]
    assert (count.stated, count.derived, count.agrees) == (2500, 2400, True)
    assert "firms of the group" in count.note and "1 firm with no group" in count.note


def test_an_assessments_producers_are_the_firms_in_its_producer_groups(tmp_path):
    officer = make_user("officer", officer=True)
    assessment = make_assessment(officer, producer_count=300)
    assessment.groups.filter(name="Shoemakers").update(name="Shoe makers")
    AssessmentGroup.objects.create(assessment=assessment, role="supplier", name="Suppliers")
    table = FirmTable.objects.create(
        assessment=assessment, title="Survey", citation="test", uploaded_by=officer,
        file_name="f.csv",
    )  # fmt: skip
    rows = [f"S{i},Shoe makers" for i in range(100)] + [f"U{i},Suppliers" for i in range(100)]
    rows += [f"N{i}," for i in range(100)]
    assert import_firm_table(
        table, write(tmp_path, "f.csv", "identifier,group\n" + "\n".join(rows))
    ).ok
    (check,) = [
        c for c in derived.check_summary(table, derived.summarise(table)) if c.what == "Producers"
    ]
    assert (check.stated, check.derived, check.agrees) == (300, 100, False)
    assert "(Shoe makers)" in check.note and "100 firms with no group" in check.note
    assert "100 firms in other groups" in check.note


def test_a_table_that_gives_no_groups_counts_all_its_firms_as_producers_and_says_so(tmp_path):
    officer = make_user("officer", officer=True)
    assessment = make_assessment(officer, producer_count=3)
    table = FirmTable.objects.create(
        assessment=assessment, title="Survey", citation="test", uploaded_by=officer,
        file_name="f.csv",
    )  # fmt: skip
    assert import_firm_table(table, write(tmp_path, "f.csv", "identifier\nA\nB\nC\n")).ok
    (check,) = derived.check_summary(table, derived.summarise(table))
    assert (check.derived, check.agrees) == (3, True) and "no firm a group" in check.note


def test_counts_within_tolerance_agree():
    assert derived._count_agrees(1800, 1700)
    assert not derived._count_agrees(1800, 1500)
    assert derived._count_agrees(700, 5000, "over")
    assert derived._share_agrees(80, 76)
    assert not derived._share_agrees(80, 70)


# Pages, permissions and the background job ------------------------------------------------


def upload(client, url, content=GOOD, name="firms.csv", **extra):
    data = {
        "title": "Survey",
        "citation": "Field survey 1994",
        "file": SimpleUploadedFile(name, content.encode()),
        **extra,
    }
    return client.post(url, data)


def test_admin_uploads_a_case_table_and_reads_the_report(
    client, django_capture_on_commit_callbacks
):
    client.force_login(make_user("admin", staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, reverse("firms:upload-case", args=["sinos-valley"]))
    table = FirmTable.objects.get()
    assert response.status_code == 302 and response["Location"] == table.get_absolute_url()
    status = client.get(reverse("firms:status", args=[table.pk])).json()
    assert status == {
        "status": "done",
        "status_label": "Imported",
        "progress": 100,
        "rows_read": 2,
        "row_count": 2,
        "finished": True,
        "error_count": 0,
        "rows_refused": 0,
    }
    page = client.get(table.get_absolute_url()).content.decode()
    assert "2 firms imported" in page
    assert "Disagrees:" in page  # the case says about 1,800 firms
    assert 'value="100"' in page
    assert table.file.read().decode() == GOOD  # the file is kept


def test_failed_upload_shows_each_error_and_stores_nothing(
    client, django_capture_on_commit_callbacks
):
    client.force_login(make_user("admin", staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        upload(
            client,
            reverse("firms:upload-case", args=["sinos-valley"]),
            HEADER + "\nF1,,,,,,,120,\n",
        )
    table = FirmTable.objects.get()
    page = client.get(table.get_absolute_url()).content.decode()
    assert "was not imported" in page and "120 is over 100" in page
    assert table.records.count() == 0


def test_progress_is_stored_as_the_job_runs_and_read_through_the_status_page(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    admin = make_user("admin", staff=True)
    client.force_login(admin)
    seen = []
    validate = importer.ChunkValidator.validate

    def validate_and_look(self, frame):
        # What a browser polling the status URL would see between two chunks.
        seen.append(client.get(reverse("firms:status", args=[FirmTable.objects.get().pk])).json())
        return validate(self, frame)

    monkeypatch.setattr(importer, "CHUNK_ROWS", 1000)
    monkeypatch.setattr(importer.ChunkValidator, "validate", validate_and_look)
    frame = generated_frame(5000)
    with django_capture_on_commit_callbacks(execute=True):
        upload(
            client, reverse("firms:upload-case", args=["sinos-valley"]), frame.to_csv(index=False)
        )
    assert [s["status"] for s in seen] == ["running"] * 5
    assert [s["rows_read"] for s in seen] == [0, 1000, 2000, 3000, 4000]
    # Rows read over the file's rows, 95 % for reading, checking and writing them (the
    # readers read ahead: the file's read position said 95 % after the first chunk).
    assert [s["progress"] for s in seen] == [0, 19, 38, 57, 76]
    assert FirmTable.objects.get().row_count == 5000


def test_a_failed_import_says_how_many_rows_were_read_and_how_many_refused(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    client.force_login(make_user("admin", staff=True))
    monkeypatch.setattr(importer, "CHUNK_ROWS", 100)
    frame = generated_frame(400)
    frame.loc[[10, 110, 210, 310], "export_share"] = 120.0  # one bad row in each chunk
    with django_capture_on_commit_callbacks(execute=True):
        upload(
            client, reverse("firms:upload-case", args=["sinos-valley"]), frame.to_csv(index=False)
        )
    table = FirmTable.objects.get()
    status = client.get(reverse("firms:status", args=[table.pk])).json()
    assert (status["status"], status["progress"]) == ("failed", 100)
    assert (status["rows_read"], status["rows_refused"]) == (400, 4)
    page = client.get(table.get_absolute_url()).content.decode()
    assert "400</span> rows read, 4 refused" in page


def test_a_queued_import_shows_a_progress_bar_that_polls(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(make_user("admin", staff=True))
    upload(client, reverse("firms:upload-case", args=["sinos-valley"]))
    table = FirmTable.objects.get()
    page = client.get(table.get_absolute_url()).content.decode()
    assert f'data-status-url="{reverse("firms:status", args=[table.pk])}"' in page
    assert "<progress" in page and "js/firm-progress.js" in page
    assert "<script>" not in page  # the CSP allows no inline script


def test_officer_attaches_a_table_to_own_assessment_only(
    client, django_capture_on_commit_callbacks
):
    officer = make_user("officer", officer=True)
    own = make_assessment(officer, producer_count=2)
    others = make_assessment(make_user("other", officer=True))
    client.force_login(officer)
    content = "identifier,group\nA,Shoemakers\nB,Shoemakers\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, reverse("firms:upload-assessment", args=[own.pk]), content)
    table = FirmTable.objects.get(assessment=own)
    assert response["Location"] == table.get_absolute_url()
    page = client.get(table.get_absolute_url()).content.decode()
    assert "Producers: the summary says 2, the table gives 2" in page
    assert "Disagrees" not in page
    assert upload(client, reverse("firms:upload-assessment", args=[others.pk])).status_code == 404
    assert upload(client, reverse("firms:upload-case", args=["sinos-valley"])).status_code == 404
    assert FirmTable.objects.count() == 1


def test_others_cannot_see_or_replace_an_officers_table(client, django_capture_on_commit_callbacks):
    officer = make_user("officer", officer=True)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(
            client,
            reverse("firms:upload-assessment", args=[make_assessment(officer).pk]),
            "identifier\nA\n",
        )
    table = FirmTable.objects.get()
    client.force_login(make_user("stranger", officer=True))
    assert client.get(table.get_absolute_url()).status_code == 404
    assert client.get(reverse("firms:status", args=[table.pk])).status_code == 404
    response = client.post(
        reverse("firms:replace", args=[table.pk]),
        {"file": SimpleUploadedFile("f.csv", b"identifier\nB\n")},
    )
    assert response.status_code == 404
    client.logout()
    assert client.get(table.get_absolute_url()).status_code == 302  # to the login page
    assert list(table.records.values_list("identifier", flat=True)) == ["A"]


def test_replacing_with_a_bad_file_keeps_the_rows(client, django_capture_on_commit_callbacks):
    officer = make_user("officer", officer=True)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(
            client,
            reverse("firms:upload-assessment", args=[make_assessment(officer).pk]),
            "identifier\nA\n",
        )
    table = FirmTable.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("firms:replace", args=[table.pk]),
            {"file": SimpleUploadedFile("f.csv", b"identifier,bogus\nB,1\n")},
        )
    table.refresh_from_db()
    assert table.status == "failed" and table.row_count == 1
    assert list(table.records.values_list("identifier", flat=True)) == ["A"]
    assert "unknown column 'bogus'" in json.dumps(table.report)


def test_a_file_cannot_replace_one_still_being_imported(client):
    officer = make_user("officer", officer=True)
    client.force_login(officer)
    # Queued and never run (no worker picked it up yet): no on-commit callbacks executed.
    upload(client, reverse("firms:upload-assessment", args=[make_assessment(officer).pk]))
    table = FirmTable.objects.get()
    assert table.status == FirmTable.Status.QUEUED
    response = client.post(
        reverse("firms:replace", args=[table.pk]),
        {"file": SimpleUploadedFile("f.csv", b"identifier\nB\n")},
        follow=True,
    )
    assert "still being imported" in response.content.decode()
    table.refresh_from_db()
    assert table.file_name != "f.csv" and table.status == FirmTable.Status.QUEUED


def test_a_worker_stopped_mid_import_marks_the_table_not_imported(client):
    from unittest import mock

    from firms import importer, services

    officer = make_user("officer", officer=True)
    client.force_login(officer)
    upload(client, reverse("firms:upload-assessment", args=[make_assessment(officer).pk]))
    table = FirmTable.objects.get()
    with mock.patch.object(importer, "import_firm_table", side_effect=KeyboardInterrupt):
        with pytest.raises(KeyboardInterrupt):
            services.run_import(table.pk)
    table.refresh_from_db()
    assert table.status == FirmTable.Status.FAILED
    assert "interrupted" in json.dumps(table.report)


def test_the_assessment_and_case_pages_lead_to_their_firm_tables(client):
    officer = make_user("officer", officer=True)
    client.force_login(officer)
    assessment = make_assessment(officer)
    scorecard = reverse("checklist:scorecard", args=[assessment.pk])
    upload_url = reverse("firms:upload-assessment", args=[assessment.pk])
    assert upload_url in client.get(scorecard).content.decode()
    upload(client, upload_url)
    table = FirmTable.objects.get()
    assert table.get_absolute_url() in client.get(scorecard).content.decode()
    case_page = reverse("cases:detail", args=["sinos-valley"])
    assert (
        reverse("firms:upload-case", args=["sinos-valley"])
        not in client.get(case_page).content.decode()
    )  # an officer cannot add a table to the library
    client.force_login(make_user("admin", staff=True))
    assert (
        reverse("firms:upload-case", args=["sinos-valley"])
        in client.get(case_page).content.decode()
    )


def test_an_assessment_with_a_long_name_takes_rows_naming_it(tmp_path):
    officer = make_user("officer", officer=True)
    long_name = "Agra footwear, the city's household workshops and their traders " * 2
    assessment = make_assessment(officer)
    Assessment.objects.filter(pk=assessment.pk).update(name=long_name.strip()[:160])
    assessment.refresh_from_db()
    assert len(assessment.name) > 80
    table = FirmTable.objects.create(
        assessment=assessment,
        title="Survey",
        citation="Field survey",
        uploaded_by=officer,
        file_name="firms.csv",
    )
    content = f'identifier,cluster\nA,"{assessment.name}"\n'
    report = import_firm_table(table, write(tmp_path, "firms.csv", content))
    assert report.ok, report.errors
    assert table.records.get().cluster == assessment.name


@pytest.mark.django_db(transaction=True)
def test_while_rows_are_written_others_see_the_progress_and_the_old_rows(monkeypatch):
    """PostgreSQL writes the rows inside one open transaction: another connection (the status
    page's) must see the progress as it goes and the table's old rows until the commit."""
    from django.core.files.base import ContentFile
    from django.db import DEFAULT_DB_ALIAS, connection, connections

    from firms import services

    if connection.vendor != "postgresql":
        pytest.skip("SQLite stages the rows and swaps them in one short transaction")
    # Its own data: a transactional test starts from (and leaves) an empty database.
    owner = User.objects.create_user("owner")
    assessment = Assessment.objects.create(
        owner=owner, name="Agra shoes", country="India", sector="Shoes", evidence_year=1995
    )
    table = FirmTable.objects.create(
        assessment=assessment, title="t", citation="c", uploaded_by=owner, file_name="f.csv"
    )
    table.file.save("old.csv", ContentFile(GOOD.replace("shoe-producers", "").encode()))
    services.run_import(table.pk)
    assert FirmTable.objects.get().row_count == 2

    table.file.save("new.csv", ContentFile(generated_frame(3000).to_csv(index=False).encode()))
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    seen = []
    validate = importer.ChunkValidator.validate

    def validate_and_look(self, frame):
        with other.cursor() as cursor:
            cursor.execute("SELECT rows_read FROM firms_firmtable WHERE id = %s", [table.pk])
            rows_read = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM firms_firmrecord WHERE table_id = %s", [table.pk])
            seen.append((rows_read, cursor.fetchone()[0]))
        return validate(self, frame)

    monkeypatch.setattr(importer, "CHUNK_ROWS", 1000)
    monkeypatch.setattr(importer.ChunkValidator, "validate", validate_and_look)
    try:
        services.run_import(table.pk)
    finally:
        other.close()
    assert seen == [(0, 2), (1000, 2), (2000, 2)]
    assert FirmTable.objects.get().row_count == 3000 == table.records.count()


@pytest.mark.parametrize(
    "cell, number",
    [
        ("40", 40.0),
        ("+5", 5.0),
        ("-3", -3.0),
        ("0012", 12.0),
        ("1e3", 1000.0),
        ("1.5E+2", 150.0),
        (".5", 0.5),
        ("5.", 5.0),
    ],
)
def test_numbers_are_read_as_people_type_them(cell, number):
    assert importer._numbers(pa.array([cell])).tolist() == [number]


@pytest.mark.parametrize("cell", ["", "1,5", "12 000", "n/a", "inf", "nan", "1e", "٣", "0x10", "."])
def test_anything_else_is_not_a_number(cell):
    assert np.isnan(importer._numbers(pa.array([cell]))).all()


@pytest.mark.parametrize("cell", ["inf", "1e400"])
def test_an_infinite_number_is_refused_by_row_and_column(tmp_path, cell):
    report = import_firm_table(
        case_table(), write(tmp_path, "f.csv", f"{HEADER}\nF1,,,,,,{cell},,\n")
    )
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "output", f"'{cell}' is not a number")
    ]


def test_list_items_are_counted_without_blank_ones():
    cells = ["", "F1", "F1;F2", "F3; ;F4;", ";;", " \u00a0 ;F1", "a b;c"]
    assert importer._list_lengths(pa.array(cells)).tolist() == [0, 1, 2, 2, 0, 1, 2]


def test_a_refusal_by_the_database_mid_import_leaves_the_old_rows(tmp_path, monkeypatch):
    from django.db import DatabaseError, connection

    if connection.vendor != "postgresql":
        pytest.skip("the COPY threads are PostgreSQL's")
    table = case_table()
    assert import_firm_table(table, write(tmp_path, "before.csv", GOOD)).ok
    before = dump(table)
    monkeypatch.setattr(importer, "_csv_for_copy", lambda frame, table_id: io.BytesIO(b"x,y\n"))
    with pytest.raises(DatabaseError):
        import_firm_table(table, write(tmp_path, "f.csv", generated_frame(50).to_csv(index=False)))
    assert dump(table) == before


def test_the_fast_reader_reads_a_plain_file_as_pandas_does(tmp_path):
    rows = [
        'F1,"Calçados, Um",,producers,small,40,1971,"1000.5",80,foreign_buyers',
        'F2,"two\nlines ""quoted""",,,,,,,,',
        "F3,  spaced  ,,,,7,,,,",
    ] * 700
    path = write(
        tmp_path, "f.csv", HEADER.replace("name,", "name,cluster,") + "\n" + "\n".join(rows)
    )
    fast_header, fast = importer._csv_chunks(path, "f.csv", 500, fast=True)
    slow_header, slow = importer._csv_chunks(path, "f.csv", 500, fast=False)
    assert fast.__name__ == "_arrow_csv_chunks" and fast_header == slow_header
    fast, slow = list(fast), list(slow)
    assert [len(chunk) for chunk, _ in fast] == [500] * 4 + [100]
    assert [chunk.first_row for chunk, _ in fast] == [2, 502, 1002, 1502, 2002]
    assert [chunk.first_row for chunk, _ in slow] == [2, 502, 1002, 1502, 2002]
    assert fast[-1][1] == 1.0
    cells = [pa.concat_tables(chunk.cells for chunk, _ in chunks) for chunks in (fast, slow)]
    assert cells[0].column_names == cells[1].column_names == fast_header
    assert cells[0].to_pydict() == cells[1].to_pydict()


@pytest.mark.parametrize(
    "rows, fast",
    [
        (["F1,,,,,,,,", "", "F2,,,,,,,,"], True),  # a blank line: a row of blanks, skipped
        (["F1,,,,,,,,", "F2,,,,,,,"], False),  # a row a cell short: pandas fills it in
    ],
    ids=["blank line", "short row"],
)
def test_rows_keep_their_numbers_whichever_reader_reads_them(tmp_path, rows, fast):
    path = write(tmp_path, "f.csv", HEADER + "\n" + "\n".join(rows + ["F3,,,,x,,,,"]) + "\n")
    try:
        list(importer._csv_chunks(path, "f.csv", 500)[1])
        read_fast = True
    except importer.ReadAgain:
        read_fast = False
    assert read_fast == fast
    report = import_firm_table(case_table(), path)
    assert [(e.row, e.column) for e in report.errors] == [(len(rows) + 2, "employees")]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789+-.eE infaINFA,_x", max_size=8))
def test_the_fast_cast_reads_numbers_as_the_pattern_does(cell):
    """A column is first cast whole (fast); only if that fails is it matched against NUMBER.
    Both must give the same answer for every cell, whichever way its column is read."""
    expected = float(cell) if re.match(importer.NUMBER, cell) else np.nan
    expected = expected if np.isfinite(expected) else np.nan
    for column in ([cell], [cell, "1"], [cell, "x"]):  # "x" sends the column to the pattern
        got = importer._numbers(pa.array(column))[0]
        assert got == expected or (np.isnan(got) and np.isnan(expected)), column


@given(st.lists(st.text(max_size=20), min_size=1, max_size=30), st.integers(0, 29))
def test_identifier_hashes_are_equal_exactly_for_equal_identifiers(values, start):
    """The hashes are read from Arrow's buffers eight bytes at a time: a value's hash must not
    depend on its neighbours, on where its array starts, or on bytes past its end."""
    whole = importer._hashes(pa.array(values))
    start = min(start, len(values) - 1)
    assert importer._hashes(pa.array(values).slice(start)).tolist() == whole[start:].tolist()
    alone = [int(importer._hashes(pa.array([value]))[0]) for value in values]
    assert alone == whole.tolist()
    assert len(set(alone)) == len(set(values))


@pytest.mark.parametrize("chunk_rows", [2, 100], ids=["across chunks", "within a chunk"])
def test_identifiers_alike_in_their_first_bytes_are_not_duplicates(tmp_path, chunk_rows):
    ids = ["Calçados", "firm-00000001", "firm-00000002", "firm-0000000", "firm-000000010"]
    rows = [f"{identifier},,,,,,,," for identifier in ids] + ["\u00a0Calçados\u2003,,,,,,,,"]
    report = import_firm_table(
        case_table(),
        write(tmp_path, "f.csv", HEADER + "\n" + "\n".join(rows) + "\n"),
        chunk_rows=chunk_rows,
    )
    where = "an earlier row" if chunk_rows == 2 else "row 2"
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (7, "identifier", f"'Calçados' is already on {where}")
    ]


def test_cells_are_stored_stripped_and_text_with_commas_quotes_and_breaks_as_typed(tmp_path):
    """Cells are stripped of whitespace (Unicode's too) before they are checked; text that
    needs quotes in CSV reaches the database as typed, in a chunk of its own and in a chunk
    with plain text (the COPY is written unquoted where no cell needs quotes)."""
    header = "identifier,name,group,employees"
    rows = [
        "F1,plain,\tshoe-producers\u00a0, 40 ",
        'F2,"Calçados, ""Um""\nLtda",,',
        "F3,\u2003spaced out\u2003,,",
        "F4,x,,",
    ]
    table = case_table()
    for chunk_rows in (1, 2, 100):
        path = write(tmp_path, "f.csv", header + "\n" + "\n".join(rows) + "\n")
        report = import_firm_table(table, path, chunk_rows=chunk_rows)
        assert report.ok, report.errors
        stored = list(
            table.records.order_by("source_row").values_list("name", "group", "employees")
        )
        assert stored == [
            ("plain", "shoe-producers", 40),
            ('Calçados, "Um"\nLtda', "", None),
            ("spaced out", "", None),
            ("x", "", None),
        ]
