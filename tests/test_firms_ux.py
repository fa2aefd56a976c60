"""An admin's walk through firm tables: who and which file the page names after a
replacement, which files storage keeps, the final report's figures, and the navigation item
of a table's pages."""

import datetime as dt
import re
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import dateformat, timezone

from firms import importer, services
from firms.models import FirmTable
from firms.views import report_figures

from .test_firms import GOOD, HEADER, make_assessment, make_user, upload
from .test_navigation import current_items

pytestmark = pytest.mark.django_db

BAD = HEADER + "\nF9,,,,,,,120,\n"  # an export share over 100


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored(media: Path) -> list[str]:
    """The names of the files storage holds."""
    return sorted(path.name for path in media.rglob("*") if path.is_file())


def replace(client, table, content: str, name: str = "new.csv"):
    return client.post(
        reverse("firms:replace", args=[table.pk]),
        {"file": SimpleUploadedFile(name, content.encode())},
    )


def uploaded_by_amara(client, capture, content=GOOD) -> FirmTable:
    client.force_login(make_user("amara", staff=True))
    with capture(execute=True):
        upload(client, reverse("firms:upload-case", args=["sinos-valley"]), content)
    table = FirmTable.objects.get()
    # The first upload was long ago, so a page that kept its date would show it.
    FirmTable.objects.filter(pk=table.pk).update(
        uploaded_at=dt.datetime(2020, 1, 2, 3, 4, tzinfo=dt.UTC)
    )
    return table


def file_line(client, table) -> str:
    page = client.get(table.get_absolute_url()).content.decode()
    return re.search(r'<p class="small" id="file-of-record">(.*?)</p>', page, re.S).group(1)


# 1. Replacing a table's file ----------------------------------------------------------------


def test_a_clean_replacement_names_its_uploader_and_date_and_deletes_the_old_file(
    client, django_capture_on_commit_callbacks, media
):
    table = uploaded_by_amara(client, django_capture_on_commit_callbacks)
    assert stored(media) == ["firms.csv"]
    client.force_login(make_user("bruno", staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        replace(client, table, GOOD + "F3,,,,7,,,,\n")
    table.refresh_from_db()
    assert (table.status, table.row_count, table.file_name) == ("done", 3, "new.csv")
    line = file_line(client, table)
    assert table.uploaded_at > dt.datetime(2020, 1, 3, tzinfo=dt.UTC)  # the new file's time
    when = dateformat.format(timezone.localtime(table.uploaded_at), "j M Y H:i")
    assert f"File new.csv, uploaded by bruno on {when}." in line, line
    assert "2020" not in line and "amara" not in line
    assert stored(media) == ["new.csv"]  # the superseded file is gone
    assert table.file.read().decode() == GOOD + "F3,,,,7,,,,\n"
    assert not table.new_file


def test_the_old_file_stays_while_the_new_one_is_checked_and_goes_after_the_commit(
    client, django_capture_on_commit_callbacks, media
):
    table = uploaded_by_amara(client, django_capture_on_commit_callbacks)
    client.force_login(make_user("bruno", staff=True))
    replace(client, table, GOOD)  # queued: its import runs only after the commit
    table.refresh_from_db()
    old = Path(table.file.path)
    line = file_line(client, table)
    assert "File firms.csv, uploaded by amara" in line
    assert "Being checked to replace it: new.csv, uploaded by bruno" in line

    seen = []
    real = importer.import_firm_table

    def import_and_look(*args, **kwargs):
        seen.append(old.exists())
        return real(*args, **kwargs)

    with mock.patch.object(importer, "import_firm_table", side_effect=import_and_look):
        with django_capture_on_commit_callbacks(execute=False) as after_commit:
            services.run_import(table.pk)
    assert seen == [True]
    assert old.exists() and len(after_commit) == 1  # deleted only once the swap is committed
    after_commit[0]()
    assert not old.exists() and stored(media) == ["new.csv"]


def test_a_refused_replacement_keeps_the_old_file_as_the_record_of_the_kept_rows(
    client, django_capture_on_commit_callbacks, media
):
    table = uploaded_by_amara(client, django_capture_on_commit_callbacks)
    client.force_login(make_user("bruno", staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        replace(client, table, BAD)
    table.refresh_from_db()
    assert (table.status, table.row_count, table.file_name) == ("failed", 2, "firms.csv")
    page = client.get(table.get_absolute_url()).content.decode()
    assert "File firms.csv, uploaded by amara on 2 Jan 2020" in page
    assert "new.csv (uploaded by bruno) was not imported: 1 error" in page
    assert "The table keeps its 2 earlier rows, from firms.csv." in page
    # The refused file is not kept: the report names it and each error by row and column.
    assert stored(media) == ["firms.csv"]
    assert not table.new_file and table.new_uploaded_by is None


def test_a_refused_file_over_a_table_without_rows_becomes_its_file(
    client, django_capture_on_commit_callbacks, media
):
    table = uploaded_by_amara(client, django_capture_on_commit_callbacks, content=BAD)
    assert table.row_count == 0
    client.force_login(make_user("bruno", staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        replace(client, table, BAD, name="second.csv")
    table.refresh_from_db()
    # No rows to keep a record of: the page shows the last file sent, with its report.
    assert (table.file_name, table.uploaded_by.username) == ("second.csv", "bruno")
    assert stored(media) == ["second.csv"]
    assert "Nothing was stored." in client.get(table.get_absolute_url()).content.decode()


def test_a_worker_stopped_on_a_replacement_keeps_the_old_file_and_drops_the_new(
    client, django_capture_on_commit_callbacks, media
):
    table = uploaded_by_amara(client, django_capture_on_commit_callbacks)
    replace(client, table, GOOD)  # queued, not run
    with mock.patch.object(importer, "import_firm_table", side_effect=KeyboardInterrupt):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(KeyboardInterrupt):
            services.run_import(table.pk)
    table.refresh_from_db()
    assert (table.status, table.file_name, table.row_count) == ("failed", "firms.csv", 2)
    assert "interrupted" in str(table.report)
    assert stored(media) == ["firms.csv"]


# 2. The final report ------------------------------------------------------------------------


def test_report_figures_give_rows_read_per_second_of_the_whole_import():
    report = {"rows": 999_990, "rows_read": 1_000_000, "rows_refused": 10, "seconds": 12.5}
    assert report_figures(report) == {
        "rows_read": 1_000_000,
        "rows_written": 999_990,
        "rows_refused": 10,
        "seconds": 12.5,
        "rows_per_second": 80_000,
    }
    assert report_figures({"rows_read": 0, "seconds": 0.0})["rows_per_second"] is None


def finished_with(table: FirmTable, **report) -> None:
    FirmTable.objects.filter(pk=table.pk).update(
        report={"file_name": "big.csv", "errors": [], **report},
        rows_read=report["rows_read"],
        row_count=report["rows"],
    )


def test_the_report_shows_counts_with_thousands_separators_and_the_speed(
    client, django_capture_on_commit_callbacks
):
    table = uploaded_by_amara(client, django_capture_on_commit_callbacks)
    page = client.get(table.get_absolute_url()).content.decode()
    assert "2 firms imported in" in page and '<dt class="col-sm-3">Rows read</dt>' in page

    finished_with(table, rows=1_000_000, rows_read=1_000_000, rows_refused=0, seconds=12.5)
    page = client.get(table.get_absolute_url()).content.decode()
    assert "big.csv: 1,000,000 firms imported in 12.50 s." in page
    figures = re.search(r'<dl class="row small" id="import-figures">(.*?)</dl>', page, re.S)
    text = re.sub(r"<[^>]+>", " ", figures.group(1))
    assert " ".join(text.split()) == (
        "Rows read 1,000,000 Rows written 1,000,000 Rows refused 0 "
        "Time 12.50 s, 80,000 rows read per second"
    )
    assert 'data-field="rows_read" data-number>1,000,000</span>' in page
    # The JSON the progress bar polls keeps the raw numbers.
    status = client.get(reverse("firms:status", args=[table.pk])).json()
    assert (status["rows_read"], status["row_count"]) == (1_000_000, 1_000_000)


def test_a_refused_report_counts_its_refused_rows_with_separators(
    client, django_capture_on_commit_callbacks
):
    table = uploaded_by_amara(client, django_capture_on_commit_callbacks)
    FirmTable.objects.filter(pk=table.pk).update(
        status="failed",
        rows_read=2_500_000,
        report={
            "file_name": "big.csv",
            "rows": 0,
            "rows_read": 2_500_000,
            "rows_refused": 12_345,
            "seconds": 50.0,
            "errors": [{"row": 1_000_001, "column": "employees", "message": "not a number"}],
        },
    )
    page = client.get(table.get_absolute_url()).content.decode()
    assert "2,500,000</span> rows read, 12,345 refused" in page
    assert 'Rows refused</dt><dd class="col-sm-9">12,345</dd>' in page
    assert 'Rows written</dt><dd class="col-sm-9">0</dd>' in page
    assert "50.00 s, 50,000 rows read per second" in page
    errors = re.search(r'<table [^>]*id="import-errors">\s*<caption>(.*?)</caption>', page)
    assert errors and "by row of the file" in errors.group(1)  # a table says what it lists
    assert client.get(reverse("firms:status", args=[table.pk])).json()["rows_refused"] == 12_345


# The navigation item of a firm table's pages ------------------------------------------


def test_a_firm_table_page_is_under_its_owners_item(client, django_capture_on_commit_callbacks):
    table = uploaded_by_amara(client, django_capture_on_commit_callbacks)
    assert current_items(client.get(table.get_absolute_url()).content.decode()) == ["Cases"]
    officer = make_user("officer", officer=True)
    client.force_login(officer)
    assessment = make_assessment(officer)
    url = reverse("firms:upload-assessment", args=[assessment.pk])
    assert current_items(client.get(url).content.decode()) == ["Assess"]


def test_the_admin_cannot_swap_a_tables_file_or_uploader_behind_its_rows(
    client, django_capture_on_commit_callbacks
):
    """The file and who sent it are the record of the stored rows: the admin's change form
    shows them but offers no input for them (only an upload on the site imports a file)."""
    table = uploaded_by_amara(client, django_capture_on_commit_callbacks)
    admin = make_user("root-admin", staff=True)
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    page = client.get(reverse("admin:firms_firmtable_change", args=[table.pk])).content.decode()
    assert 'name="title"' in page  # the form is there and the title still editable
    for field in ("file", "new_file", "uploaded_by", "new_uploaded_by", "uploaded_at"):
        assert f'name="{field}"' not in page, field
