"""Writes for firm tables: create or replace a table's file, and run its import."""

from __future__ import annotations

import logging
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from . import importer
from .models import FirmTable

logger = logging.getLogger(__name__)


def create_firm_table(*, user, upload: UploadedFile, **fields) -> FirmTable:
    """Keep the upload, record who sent it, and queue its import. fields: case or assessment,
    cluster, title, citation, sheet, provenance_note."""
    table = FirmTable(uploaded_by=user, file_name=Path(upload.name).name, **fields)
    table.file.save(Path(upload.name).name, upload, save=False)
    table.full_clean()
    table.save()
    _enqueue(table)
    return table


class ImportInProgress(Exception):
    """A table's file is being imported: a second file would race it for the same rows."""


IN_PROGRESS = {FirmTable.Status.QUEUED, FirmTable.Status.RUNNING}


def replace_firm_file(*, table: FirmTable, user, upload: UploadedFile) -> FirmTable:
    """A new file for an existing table: its rows are swapped only if the new file is clean.
    Refused (ImportInProgress) while the last file is still waiting or importing.

    The new file is kept beside the file of record while it is checked: a refused file leaves
    the old rows, and their file stays their record. The superseded file (the old one after a
    clean import, the refused one otherwise) is deleted from storage once the outcome has been
    committed (`_finish`)."""
    with transaction.atomic():
        status = FirmTable.objects.select_for_update().values_list("status", flat=True)
        if status.get(pk=table.pk) in IN_PROGRESS:
            raise ImportInProgress(table.pk)
        return _replace(table=table, user=user, upload=upload)


def _replace(*, table: FirmTable, user, upload: UploadedFile) -> FirmTable:
    table.new_file.save(Path(upload.name).name, upload, save=False)
    table.new_file_name = Path(upload.name).name
    table.new_uploaded_by = user
    table.new_uploaded_at = timezone.now()
    table.status = FirmTable.Status.QUEUED
    table.progress = 0
    table.rows_read = 0
    table.report = {}
    table.finished_at = None
    table.save()
    _enqueue(table)
    return table


def _enqueue(table: FirmTable) -> None:
    from .tasks import import_firm_file  # the task module imports this one

    # After commit: the worker must find the table row (and its file) when it picks the job up.
    transaction.on_commit(lambda: import_firm_file.enqueue(table.pk))


def run_import(table_id: int) -> dict:
    """What the worker does: import the kept file, storing progress as it goes."""
    table = FirmTable.objects.select_related("case", "cluster", "assessment").get(pk=table_id)
    FirmTable.objects.filter(pk=table_id).update(status=FirmTable.Status.RUNNING, progress=0)

    # The file sent last: a replacement being checked, or else the table's first file.
    sent, file_name = (
        (table.new_file, table.new_file_name) if table.new_file else (table.file, table.file_name)
    )
    progress, done = _progress_writer(table_id)
    try:
        report = importer.import_firm_table(
            table,
            Path(sent.path),
            file_name=file_name,
            chunk_rows=importer.CHUNK_ROWS,  # read at call time, so a test can make it small
            progress=progress,
        ).as_dict()
    except Exception:
        logger.exception("Firm table %s: the import stopped", table_id)
        report = _stopped(
            file_name,
            "The import stopped on an internal error; the table is unchanged. "
            "The server log has the details.",
        )
    except BaseException:
        # The worker itself is stopping (shut down, interrupted): record it, or the page
        # would say "Importing" for ever. The rows were never touched (one transaction).
        done()
        _finish(table_id, _stopped(file_name, INTERRUPTED))
        raise
    done()
    _finish(table_id, report)
    return report


def _progress_writer(table_id: int):
    """(progress callback, close). On PostgreSQL the import writes its rows inside one open
    transaction, so progress stored on the same connection would show only at its commit:
    there the worker stores it on a connection of its own, committed at once. (Inside an
    outer transaction, as in tests, or on SQLite, whose staging keeps the transaction short,
    the import's own connection does.)"""
    # Reading, checking and writing each chunk is most of the work (the fraction is of the
    # file's rows); the final swap and commit are the last 5 %.
    percent = 95

    if connection.vendor != "postgresql" or connection.in_atomic_block:

        def progress(fraction: float, rows: int) -> None:
            FirmTable.objects.filter(pk=table_id).update(
                progress=int(fraction * percent), rows_read=rows
            )

        return progress, lambda: None

    side = connections.create_connection(DEFAULT_DB_ALIAS)
    meta = FirmTable._meta
    update = (
        f"UPDATE {meta.db_table} SET {meta.get_field('progress').column} = %s, "
        f"{meta.get_field('rows_read').column} = %s WHERE {meta.pk.column} = %s"
    )

    def progress(fraction: float, rows: int) -> None:
        with side.cursor() as cursor:  # autocommit: seen by the status page at once
            cursor.execute(update, [int(fraction * percent), rows, table_id])

    return progress, side.close


INTERRUPTED = (
    "The import was interrupted (the background worker stopped); the table is unchanged. "
    "Upload the file again to retry."
)


def _stopped(file_name: str, message: str) -> dict:
    return {
        "file_name": file_name,
        "rows": 0,
        "errors": [{"row": None, "column": "", "message": message}],
    }


def _finish(table_id: int, report: dict) -> None:
    """Store the outcome and settle the files. A clean import makes the file sent the file of
    record; a refused one leaves the old file as the record of the rows it kept, unless the
    table kept no rows (then there is nothing to record, and the last file sent is shown with
    its report). The file that lost is deleted from storage after the commit: the report
    keeps a refused file's name and every error, by row and column, and who sent it."""
    read = {"rows_read": report["rows_read"]} if "rows_read" in report else {}
    with transaction.atomic():
        # Locks the table's row only: PostgreSQL refuses FOR UPDATE on the nullable side of
        # the outer join to the new file's uploader.
        table = (
            FirmTable.objects.select_for_update(of=("self",))
            .select_related("new_uploaded_by")
            .get(pk=table_id)
        )
        fields = {}
        superseded = ""
        if table.new_file:
            report = {**report, "sent_by": table.new_uploaded_by.get_username()}
            if not report["errors"] or not table.row_count:
                superseded = table.file.name
                fields = {
                    "file": table.new_file.name,
                    "file_name": table.new_file_name,
                    "uploaded_by": table.new_uploaded_by,
                    "uploaded_at": table.new_uploaded_at,
                }
            else:
                superseded = table.new_file.name
            fields.update(new_file="", new_file_name="", new_uploaded_by=None, new_uploaded_at=None)
        FirmTable.objects.filter(pk=table_id).update(
            status=FirmTable.Status.FAILED if report["errors"] else FirmTable.Status.DONE,
            progress=100,
            **read,  # the check may stop early, after the last progress it stored
            report=report,
            finished_at=timezone.now(),
            **fields,
        )
        if superseded:
            storage = table.file.storage
            transaction.on_commit(lambda: _delete_file(storage, superseded))


def _delete_file(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:  # the outcome is stored; a file left behind is only disk space
        logger.exception("Firm tables: could not delete the superseded file %s", name)
