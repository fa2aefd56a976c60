"""Writes for firm tables: create or replace a table's file, and run its import."""

from __future__ import annotations

import logging
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
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


def replace_firm_file(*, table: FirmTable, user, upload: UploadedFile) -> FirmTable:
    """A new file for an existing table: its rows are swapped only if the new file is clean."""
    table.file.save(Path(upload.name).name, upload, save=False)
    table.file_name = Path(upload.name).name
    table.uploaded_by = user
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

    def progress(fraction: float, rows: int) -> None:
        # Reading and checking is most of the work; the final swap is the last 5 per cent.
        FirmTable.objects.filter(pk=table_id).update(progress=int(fraction * 95), rows_read=rows)

    try:
        report = importer.import_firm_table(
            table,
            Path(table.file.path),
            file_name=table.file_name,
            chunk_rows=importer.CHUNK_ROWS,  # read at call time, so a test can make it small
            progress=progress,
        ).as_dict()
    except Exception:
        logger.exception("Firm table %s: the import stopped", table_id)
        report = {
            "file_name": table.file_name,
            "rows": 0,
            "errors": [
                {
                    "row": None,
                    "column": "",
                    "message": "The import stopped on an internal error; "
                    "the table is unchanged. The server log has the details.",
                }
            ],
        }
    ok = not report["errors"]
    FirmTable.objects.filter(pk=table_id).update(
        status=FirmTable.Status.DONE if ok else FirmTable.Status.FAILED,
        progress=100,
        report=report,
        finished_at=timezone.now(),
    )
    return report
