"""Case bundles: download a case, upload it again, and every error by sheet, row and column."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from cases.bundles import blank_template, case_objects, export_bundle, import_bundle, sheet_name
from cases.loading import library_models
from cases.models import CaseStudy, Cluster, Figure, LibraryVersion, Linkage

pytestmark = pytest.mark.django_db

SLUGS = ["sinos-valley", "leon-guadalajara", "tiruppur", "bangalore", "korea-chaebol-networks"]


def library_dump() -> str:
    """Every library table's rows, to show an upload left the database as it was."""
    rows = []
    for model in library_models():
        rows += [repr(sorted(r.items())) for r in model.objects.order_by("pk").values()]
    return "\n".join(rows)


def bundle(slug="sinos-valley", fmt="xlsx") -> bytes:
    return export_bundle(case_objects(CaseStudy.objects.get(slug=slug)), fmt)


@pytest.mark.parametrize("fmt", ["xlsx", "zip", "json"])
@pytest.mark.parametrize("slug", SLUGS)
def test_downloading_a_case_and_uploading_it_again_changes_nothing(slug, fmt):
    before, version = library_dump(), LibraryVersion.objects.current().version
    report = import_bundle([(f"{slug}.{fmt}", bundle(slug, fmt))], dry_run=False)
    assert report.ok, report.errors[:3]
    assert report.count("unchanged") == len(case_objects(CaseStudy.objects.get(slug=slug)))
    assert (report.count("created"), report.count("updated"), report.count("deleted")) == (0, 0, 0)
    assert not report.written and library_dump() == before
    assert LibraryVersion.objects.current().version == version


@pytest.mark.parametrize("slug", SLUGS)
def test_the_workbook_stores_figures_as_numbers_and_the_csv_as_text(slug):
    sheet = load_workbook(io.BytesIO(bundle(slug)))["figures"]
    cells = [sheet.cell(r, column(sheet, "value")).value for r in range(2, sheet.max_row + 1)]
    assert cells and all(type(v) in (int, float) for v in cells), cells[:5]
    stored = [f.value for f in Figure.objects.filter(case__slug=slug).order_by("id")]
    assert [Decimal(repr(v)) for v in cells] == stored  # exactly the stored decimals
    spans = [sheet.cell(r, column(sheet, "value_max")).value for r in range(2, sheet.max_row + 1)]
    assert all(v is None or type(v) in (int, float) for v in spans)
    with zipfile.ZipFile(io.BytesIO(bundle(slug, "zip"))) as archive:
        text = archive.read("figures.csv").decode("utf-8-sig")
    assert f",{stored[0]}," in text  # CSV stays text, with the stored decimals


def test_a_number_typed_into_the_workbook_is_read_as_that_number():
    report = import_bundle([("sinos.xlsx", edited(set_cell("figures", "value", 150.0)))])
    assert not report.ok  # not in its passage; but read as 150, not "150.0"
    errors = [str(e) for e in report.errors]
    assert any("row 2, column value: 150 is " in e for e in errors), errors


def test_the_workbook_has_a_sheet_per_table_and_the_blank_template_only_headings():
    book = load_workbook(io.BytesIO(blank_template("xlsx")))
    assert book.sheetnames == [sheet_name(m) for m in library_models()]
    assert book.sheetnames[:3] == ["sources", "case", "clusters"]
    assert book["linkages"].max_row == 1
    with zipfile.ZipFile(io.BytesIO(blank_template("zip"))) as archive:
        assert "linkages.csv" in archive.namelist()


def edited(change, slug="sinos-valley") -> bytes:
    """The case's workbook after `change(book)`, as bytes."""
    book = load_workbook(io.BytesIO(bundle(slug)))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def column(sheet, name: str) -> int:
    return [c.value for c in sheet[1]].index(name) + 1


def set_cell(sheet_title: str, name: str, value, row: int = 2, where=None):
    def change(book):
        sheet = book[sheet_title]
        target = row
        if where is not None:  # the first row whose `where` column is filled
            col = column(sheet, where)
            target = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, col).value)
        sheet.cell(target, column(sheet, name)).value = value
        change.row = target

    return change


def refused(files) -> list[str]:
    """The errors of an upload, after checking it left the library exactly as it was."""
    before, version = library_dump(), LibraryVersion.objects.current().version
    report = import_bundle(files, dry_run=False)
    assert not report.ok and not report.written
    assert library_dump() == before and LibraryVersion.objects.current().version == version
    return [str(e) for e in report.errors]


def test_an_unknown_reference_is_named_by_sheet_row_and_column():
    change = set_cell("linkages", "to_group", "glassworks", where="to_group")
    errors = refused([("sinos.xlsx", edited(change))])
    assert errors == [
        f"sinos.xlsx, Linkages row {change.row}, column to_group: no actor group 'glassworks' "
        "in case 'sinos-valley' (in this upload, or stored)"
    ]


@pytest.mark.parametrize(
    ("sheet", "name", "value", "message"),
    [
        ("figures", "year", "nineteen ninety", "'nineteen ninety' is not a whole number"),
        ("figures", "headline", "perhaps", "'perhaps' is not true or false"),
        ("figures", "value", "lots", "'lots' is not a number"),
        ("clusters", "name", "", "This field cannot be blank."),
        ("figures", "passage", "Words the paper never printed.", "Not found verbatim in"),
        ("figures", "passage", "x" * 10_001, "is 10,001 characters long; at most 10,000"),
        # the paper's text is stored (kept, though the sheet leaves it out): it is quoted
        ("sources", "passages", "summary", "The paper has its text stored, so its passages"),
        ("sources", "passages", "gist", "Value 'gist' is not a valid choice."),
    ],
    ids=[
        "wrong type",
        "not a boolean",
        "not a number",
        "missing value",
        "passage",
        "huge cell",
        "summarised text",
        "unknown passages",
    ],  # fmt: skip
)
def test_a_bad_cell_is_named_by_sheet_row_and_column(sheet, name, value, message):
    errors = refused([("sinos.xlsx", edited(set_cell(sheet, name, value)))])
    assert any(
        e.startswith(f"sinos.xlsx, {sheet.capitalize()} row 2, column {name}: ") for e in errors
    )
    assert any(message in e for e in errors), errors


def test_a_share_over_100_is_refused():
    def change(book):
        sheet = book["figures"]
        unit, value = column(sheet, "unit"), column(sheet, "value")
        row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, unit).value == "percent")
        sheet.cell(row, value).value = 140
        # a derived figure, so that only the range is wrong
        sheet.cell(row, column(sheet, "confidence")).value = "likely"
        sheet.cell(row, column(sheet, "note")).value = "Derived: 140 per cent."
        change.row = row

    errors = refused([("sinos.xlsx", edited(change))])
    assert errors == [
        f"sinos.xlsx, Figures row {change.row}, column value: 140% is a share over 100 "
        "(or below 0): a share is 0 to 100 per cent; a rate of growth may be more (give it "
        "the metric 'growth')."
    ]  # in words, not the database constraint's name


def test_an_unknown_column_is_named():
    def change(book):
        sheet = book["markets"]
        sheet.cell(1, sheet.max_column + 1).value = "colour"

    errors = refused([("sinos.xlsx", edited(change))])
    assert errors[0].startswith(
        "sinos.xlsx, Markets, column 'colour': unknown column; the markets table has"
    )


def test_a_duplicate_key_in_one_upload_is_an_error_not_an_overwrite():
    def change(book):
        sheet = book["clusters"]
        sheet.append([c.value for c in sheet[2]])

    errors = refused([("sinos.xlsx", edited(change))])
    assert errors and errors[0].startswith(
        "sinos.xlsx, Clusters row 3, column key: the natural key"
    )


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("case.xlsx", b"name,key\nx,y\n", "is not an XLSX workbook"),
        ("case.zip", b"not a zip", "is not a zip archive of CSV files"),
        ("case.json", b"", "is empty"),
        ("case.json", "[]".encode("utf-16"), "is UTF-16"),
        ("case.txt", b"hello", "is not a bundle"),
    ],
    ids=["xlsx that is not", "zip that is not", "empty", "utf-16", "extension"],
)
def test_a_file_that_is_not_a_bundle_says_why(name, raw, message):
    errors = refused([(name, raw)])
    assert errors[0].startswith(name) and message in errors[0]


def test_csv_in_utf16_is_refused_and_a_bom_is_fine():
    tables = zipfile.ZipFile(io.BytesIO(bundle(fmt="zip")))
    clusters = tables.read("clusters.csv")
    assert clusters.startswith(b"\xef\xbb\xbf")  # our own download has a BOM, and reads back

    def rezip(member_bytes):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for info in tables.infolist():
                data = tables.read(info)
                archive.writestr(
                    info.filename, member_bytes if info.filename == "clusters.csv" else data
                )
        return out.getvalue()

    utf16 = clusters.decode("utf-8-sig").encode("utf-16")
    assert "clusters.csv is UTF-16" in refused([("case.zip", rezip(utf16))])[0]
    assert import_bundle([("case.zip", rezip(clusters))]).ok


def test_preview_lists_updates_field_by_field_and_deletions_then_confirm_writes_them():
    slug = "sinos-valley"

    def change(book):
        sheet = book["clusters"]
        sheet.cell(2, column(sheet, "location")).value = "Rio Grande do Sul, Brazil (edited)"
        change.old = None

    linkages = Linkage.objects.filter(case__slug=slug).order_by("id")
    doomed = linkages.last()

    def and_drop_a_linkage(book):
        change(book)
        sheet = book["linkages"]
        key_col = column(sheet, "key")
        row = next(
            r for r in range(2, sheet.max_row + 1) if sheet.cell(r, key_col).value == doomed.key
        )
        sheet.delete_rows(row)

    raw = edited(and_drop_a_linkage)
    before = library_dump()
    preview = import_bundle([("sinos.xlsx", raw)], dry_run=True)
    assert preview.ok and library_dump() == before
    (update,) = preview.tables["clusters"].updated
    (name, old, new) = update.fields[0]
    assert name == "location" and new == "Rio Grande do Sul, Brazil (edited)" and old != new
    assert preview.tables["linkages"].deleted == [doomed.key]
    version = LibraryVersion.objects.current().version
    written = import_bundle([("sinos.xlsx", raw)], dry_run=False)
    assert written.written and LibraryVersion.objects.current().version == version + 1
    assert not Linkage.objects.filter(pk=doomed.pk).exists()
    assert CaseStudy.objects.get(slug=slug).clusters.first().location.endswith("(edited)")


def test_the_command_previews_with_dry_run_and_refuses_a_bad_bundle(tmp_path, capsys):
    path = tmp_path / "sinos.xlsx"
    path.write_bytes(edited(set_cell("clusters", "location", "Elsewhere")))
    before = library_dump()
    call_command("import_data", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "clusters: 0 created, 1 updated" in out and "location:" in out and "'Elsewhere'" in out
    assert library_dump() == before
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(edited(set_cell("linkages", "to_group", "glassworks", where="to_group")))
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_data", str(bad))
    assert "column to_group: no actor group 'glassworks'" in capsys.readouterr().err
    call_command("import_data", str(path))
    assert CaseStudy.objects.get(slug="sinos-valley").clusters.first().location == "Elsewhere"


def sialkot_bundle() -> bytes:
    """The example case (its source's passages are the editor's summaries) stored, and its
    workbook as downloaded."""
    from .test_example_bundle import EXAMPLE

    report = import_bundle([(EXAMPLE.name, EXAMPLE.read_bytes())], dry_run=False)
    assert report.written, report.errors[:3]
    return bundle("sialkot-example")


def figure_row_edited(raw: bytes, key: str, **cells) -> bytes:
    book = load_workbook(io.BytesIO(raw))
    sheet = book["figures"]
    row = next(
        r for r in range(2, sheet.max_row + 1) if sheet.cell(r, column(sheet, "key")).value == key
    )
    for name, value in cells.items():
        sheet.cell(row, column(sheet, name)).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_likely_figure_under_a_summary_source_is_told_to_give_the_value_in_its_note():
    raw = figure_row_edited(sialkot_bundle(), "producers-count", value=150)
    (error,) = [e for e in refused([("sialkot.xlsx", raw)]) if "column value" in e]
    assert error.endswith(
        "150 is stated neither in the passage nor in the note. The figure is likely: give the "
        "value (150) and how it was derived in the note, or write it in the summary (the "
        "passage is the editor's summary of 'Nadvi 1999 (example)', not a quotation)."
    ), error
    assert "Quote the words" not in error and "mark the figure likely" not in error


def test_a_likely_figure_whose_note_gives_the_value_and_derivation_is_accepted():
    note = "Half of the about 300 manufacturers: 150, derived by the editor."
    raw = figure_row_edited(sialkot_bundle(), "producers-count", value=150, note=note)
    report = import_bundle([("sialkot.xlsx", raw)], dry_run=True)
    assert report.ok, report.errors[:3]
    assert report.count("updated") == 1


def test_a_certain_figure_under_a_summary_source_is_not_told_to_quote():
    raw = figure_row_edited(sialkot_bundle(), "producers-count", value=150, confidence="certain")
    errors = [e for e in refused([("sialkot.xlsx", raw)]) if "column value" in e]
    assert errors and errors[0].endswith(
        "150 is not stated in the passage. Write it in the summary (the passage is the "
        "editor's summary of 'Nadvi 1999 (example)', not a quotation), or mark the figure "
        "likely and give the value and its derivation in the note."
    ), errors


@pytest.mark.parametrize("fmt", ["xlsx", "zip", "json"])
def test_the_example_case_downloaded_and_uploaded_again_changes_nothing(fmt):
    sialkot_bundle()
    before = library_dump()
    raw = export_bundle(case_objects(CaseStudy.objects.get(slug="sialkot-example")), fmt)
    report = import_bundle([(f"sialkot.{fmt}", raw)], dry_run=False)
    assert report.ok, report.errors[:3]
    assert (report.count("created"), report.count("updated"), report.count("deleted")) == (0, 0, 0)
    assert not report.written and library_dump() == before


def test_text_that_starts_like_a_formula_is_neutralised_in_the_workbook_and_comes_back():
    cluster = Cluster.objects.filter(case__slug="sinos-valley").order_by("id").first()
    Cluster.objects.filter(pk=cluster.pk).update(location="=HYPERLINK(1)")
    sheet = load_workbook(io.BytesIO(bundle()))["clusters"]
    assert sheet.cell(2, column(sheet, "location")).value == "'=HYPERLINK(1)"
    figures = load_workbook(io.BytesIO(bundle()))["figures"]
    assert type(figures.cell(2, column(figures, "value")).value) in (int, float)
    report = import_bundle([("sinos.xlsx", bundle())], dry_run=True)
    assert report.ok and report.count("updated") == 0, report.errors[:3]
