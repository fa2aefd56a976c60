"""Every CSV and XLSX the app sends is written here, so that no cell can run as a formula;
and a workbook it sent that comes back as an upload is opened here, to be read.

A spreadsheet program treats a cell that starts with `=`, `+`, `-` or `@` (and, in some
programs, a tab or carriage return) as a formula, so a name such as
`=HYPERLINK("http://example.com","n")` typed into an assessment would become a live link, or
worse, on the computer of whoever opens the download. As OWASP advises ("CSV Injection"), such
text cells get a leading apostrophe: the text is kept, visibly, and never evaluated. Numbers
are left alone, so that -3 stays a number a reader can sum; only text is ever prefixed.
"""

from __future__ import annotations

import io
import numbers
import zipfile

import pandas as pd

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# OWASP's list: the characters with which a spreadsheet starts a formula or a DDE command.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value as a cell that cannot be a formula: text starting like one gets a leading
    apostrophe; numbers, booleans, dates and missing values are returned as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def un_neutralise(value):
    """The text a neutralised cell stood for, when a download comes back as an upload."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def read_xlsx(raw: bytes):
    """An uploaded workbook (one of ours coming back) as (sheet title, rows of cell values),
    sheet by sheet, read lazily. Cells are read as values, never as formulas."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            yield sheet.title, sheet.iter_rows(values_only=True)
    finally:
        book.close()


def _neutralised_column(values: pd.Series) -> pd.Series:
    if values.dtype.kind in "biufcmM":  # numeric, boolean and date columns hold no text
        return values
    return values.map(neutralise)


def restored(text: str) -> str:
    """Text as it was before `neutralise`: the apostrophe it added is taken off again."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every text cell and column heading neutralised. Column
    headings count: the comparison's headings are assessment names."""
    safe = pd.DataFrame(
        {
            position: _neutralised_column(frame.iloc[:, position])
            for position in range(frame.shape[1])
        },
        index=frame.index,
    )
    safe.columns = [neutralise(name) if not isinstance(name, numbers.Number) else name
                    for name in frame.columns]  # fmt: skip
    return safe


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel shows accents and arrows as they are."""
    return neutralised(frame).to_csv(index=False).encode("utf-8-sig")


def to_xlsx(frames: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per frame, named by its key (cut to Excel's 31 characters). Sheet names
    are the app's own words, never user text, so they are not neutralised."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet, frame in frames.items():
            neutralised(frame).to_excel(writer, sheet_name=sheet[:31], index=False)
    return buffer.getvalue()


class NotAWorkbook(Exception):
    """The upload cannot be opened as an .xlsx workbook; the message says why, in words."""


# What an .xlsx may unpack to. It is a zip: a small upload can hold a huge text table, which
# openpyxl reads whole when it opens the file. An assessment's workbook unpacks to well under 1 MB.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024


def open_xlsx(content: bytes):
    """An uploaded workbook opened to be read, not written: read-only (rows are streamed, not
    loaded at once) and cached values rather than formulas, so that nothing in it is run."""
    import openpyxl  # only an upload needs it; pandas loads it for writing anyway

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise NotAWorkbook(
                f"This workbook unpacks to {unpacked / 1024 / 1024:,.0f} MB; an assessment's "
                f"workbook is far smaller (at most {MAX_UNPACKED_BYTES // 1024 // 1024} MB)."
            )
        return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise NotAWorkbook(
            f"This file is not an Excel workbook (.xlsx) that can be read ({type(error).__name__})."
        ) from None
