"""Read, validate and store a firm table: parse -> validate every row -> write once.

The file is read in chunks (plain UTF-8 CSV through Arrow's C++ reader, other CSV through
pandas' C reader, XLSX through openpyxl's read-only stream), so memory is bounded by the chunk
size, never by the file; the only thing kept for the whole file is one 8-byte hash per
identifier, to find duplicates across chunks. Each chunk is an Arrow table of text and is
validated column by column with Arrow's compute kernels and numpy (no Python call per row, no
pandas frame). PostgreSQL: its clean rows are COPYed into the firm-record table inside one
transaction (see DirectCopy); SQLite: they go into a temporary staging table, swapped in with
one INSERT ... SELECT at the end. Any error anywhere means nothing commits: the table keeps its
rows.

Errors name the file, the row (as a spreadsheet numbers it: the header is row 1) and the
column, in words. After MAX_ERRORS the check stops: nobody reads the 101st message.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from django.db import connection, transaction

from .models import BuyerType, FirmRecord, FirmTable

CHUNK_ROWS = 50_000
MAX_ERRORS = 100
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    """One column of the firm-table format. kind: text, int, number, choice or a reference
    ("cluster", "group", "size_class") checked against the table's case or assessment."""

    name: str
    kind: str
    max_length: int = 0
    minimum: float | None = None
    maximum: float | None = None
    required: bool = False
    help: str = ""


def _width(name: str) -> int:
    """A text column's longest value: the stored field's, so that the two cannot drift."""
    return FirmRecord._meta.get_field(name).max_length


def _this_year() -> int:
    return date.today().year


# The format, in one place: the upload page's help, the validation and the staging table's
# columns are all read from this list.
COLUMNS: tuple[Column, ...] = (
    Column(
        "identifier", "text", _width("identifier"), required=True, help="unique within the table"
    ),
    Column("name", "text", _width("name")),
    Column(
        "cluster",
        "cluster",
        _width("cluster"),
        help="the case's cluster key or the assessment's name",
    ),
    Column(
        "group",
        "group",
        _width("group"),
        help="the case's actor-group key or the assessment's group",
    ),
    Column("size_class", "size_class", _width("size_class"), help="the case's size-class key"),
    Column("employees", "int", minimum=0, maximum=10_000_000),
    Column("founding_year", "int", minimum=1700, help="1700 to this year"),
    Column("output", "number", minimum=0, maximum=1e17, help="output or sales"),
    Column("export_share", "number", minimum=0, maximum=100, help="per cent, 0 to 100"),
    Column("buyer_type", "choice", _width("buyer_type"), help=", ".join(BuyerType.values)),
    Column("memberships", "text", 2000, help="';'-separated"),
    Column("firm_ties", "text", 2000, help="identifiers of firms, ';'-separated"),
    Column("institution_ties", "text", 2000, help="institutions, ';'-separated"),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
TEXT_KINDS = {"text", "choice", "cluster", "group", "size_class"}
# Stored besides the file's columns: where the row came from and the counted ties.
STAGED_COLUMNS = ("source_row", *COLUMN_NAMES, "firm_tie_count", "institution_tie_count")


@dataclass(frozen=True)
class RowError:
    row: int | None  # None: the file as a whole (empty, wrong format, header)
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportReport:
    file_name: str
    rows: int = 0
    rows_read: int = 0  # rows of the file read (checked), the refused and blank ones too
    rows_refused: int = 0  # rows with at least one error (of those checked)
    errors: list[RowError] = field(default_factory=list)
    stopped_early: bool = False
    seconds: float = 0.0
    swap_seconds: float = 0.0  # of which: the final swap of rows (or the commit) and commit
    phases: dict[str, float] = field(default_factory=dict)  # seconds reading, validating, ...

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "file_name": self.file_name,
            "rows": self.rows,
            "rows_read": self.rows_read,
            "rows_refused": self.rows_refused,
            "errors": [error.as_dict() for error in self.errors],
            "stopped_early": self.stopped_early,
            "seconds": round(self.seconds, 2),
            "swap_seconds": round(self.swap_seconds, 2),
            "phases": {phase: round(seconds, 2) for phase, seconds in self.phases.items()},
        }


class FileProblem(Exception):
    """The file cannot be read at all; the message says why, in words."""


Progress = Callable[[float, int], None]  # (fraction of the file read, rows read so far)


# Reading ----------------------------------------------------------------------------------


def _csv_encoding(head: bytes, file_name: str) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"  # the BOM tells Python the byte order
    if head.startswith(b"PK\x03\x04"):
        raise FileProblem(
            f"{file_name} is a zip or Excel workbook, not CSV text: save it as CSV or upload it "
            "with the extension .xlsx."
        )
    if b"\x00" in head:
        raise FileProblem(
            f"{file_name} is not CSV text (it holds binary data). Text in UTF-16 needs its "
            "byte-order mark; most programs write one when saving as 'Unicode text'."
        )
    return "utf-8"


def _normalise_header(names) -> list[str]:
    return [
        str(name if name is not None else "").strip().lower().replace(" ", "_") for name in names
    ]


class ReadAgain(Exception):
    """Arrow's fast reader met something only pandas' reader reads as meant (or words well):
    a row of another width, text not UTF-8. The import starts over with pandas' reader."""


@dataclass(frozen=True)
class Chunk:
    """Consecutive rows of the file as text: one Arrow string column per header name (in the
    header's order; names may repeat until the header is checked), the first row's number as a
    spreadsheet counts it (the header is row 1)."""

    cells: pa.Table
    first_row: int

    def __len__(self) -> int:
        return self.cells.num_rows


def _text_chunk(columns: list, header: list[str], first_row: int) -> Chunk:
    """A chunk from the slow readers' columns (pandas Series or lists of str)."""
    arrays = [pa.array(column, type=pa.string(), from_pandas=True) for column in columns]
    return Chunk(pa.Table.from_arrays(arrays, names=header), first_row)


def _csv_chunks(path: Path, file_name: str, chunk_rows: int, fast: bool = True):
    """(header, iterator of (Chunk, fraction read))."""
    with open(path, "rb") as probe:
        head = probe.read(65536)
    if not head.strip(b" \t\r\n\xef\xbb\xbf\xff\xfe\x00"):
        raise FileProblem(f"{file_name} is empty: it needs a header row naming the columns.")
    encoding = _csv_encoding(head, file_name)
    header = _csv_header(head, encoding, file_name)
    # Progress is rows read over the rows the file holds, not the file's read position: both
    # readers read ahead (Arrow several 4 MB blocks at once), so the position said 95 % after
    # the first chunk of 200,000 rows. Line ends overcount a value with a newline in it, so
    # the fraction errs low, and the last chunk says 1.0.
    size = _data_lines(path)
    if fast and encoding == "utf-8" and len(set(header)) == len(header):
        return header, _arrow_csv_chunks(path, header, chunk_rows, size)

    def chunks():
        next_row = 2
        with open(path, "rb") as handle:
            reader = pd.read_csv(
                handle,
                # Our own header, by position: pandas would rename a repeated name to
                # "name.1" and take a first row longer than the header as an index column.
                # One spare column catches a row with a cell too many (an empty one, as
                # spreadsheets write after a trailing comma, is let through).
                header=None,
                skiprows=1,
                names=list(range(len(header) + 1)),
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,  # keeps row numbers true; blank rows are dropped later
                chunksize=chunk_rows,
                encoding=encoding,
            )
            while True:
                try:
                    frame = next(reader)
                except StopIteration:
                    return
                except UnicodeDecodeError as exc:
                    raise FileProblem(
                        f"{file_name}, after row {next_row - 1}: the text is not UTF-8; save the "
                        "file as 'CSV UTF-8'."
                    ) from exc
                except pd.errors.ParserError as exc:
                    raise FileProblem(_ragged_row_message(exc, file_name, len(header))) from exc
                _refuse_overlong_rows(frame, next_row, file_name, len(header))
                columns = [frame[position] for position in range(len(header))]
                chunk = _text_chunk(columns, header, next_row)
                next_row += len(frame)
                # Rows read over the file's data lines: the reader's position runs ahead of
                # the rows it has given (it read 95% of a 200,000-row file for the first chunk).
                yield chunk, min((next_row - 2) / size, 1.0)

    return header, chunks()


def _data_lines(path: Path) -> int:
    """The lines of a CSV file after its header (at least 1): read in 1 MB blocks, a few
    milliseconds for a million rows, against seconds for their import."""
    lines, last = 0, b"\n"
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    if last != b"\n":  # a last line without a line end
        lines += 1
    return max(lines - 1, 1)


ARROW_BLOCK_BYTES = 1 << 22  # 4 MB: ~50,000 rows of a typical register per parsed block


def _arrow_csv_chunks(path: Path, header: list[str], chunk_rows: int, size: int):
    """Plain UTF-8 CSV, every row as wide as the header: Arrow's C++ reader, several times
    faster than pandas' (which makes a Python string per cell). Anything else raises
    ReadAgain, before or after some chunks, and the import starts over with pandas' reader."""
    names = [str(position) for position in range(len(header))]
    next_row = 2
    pending: list[pa.RecordBatch] = []
    with open(path, "rb") as handle:
        try:
            reader = pa_csv.open_csv(
                handle,
                read_options=pa_csv.ReadOptions(
                    skip_rows=1, column_names=names, block_size=ARROW_BLOCK_BYTES
                ),
                # A blank line is kept as a row of blanks (row numbers stay true; the check
                # skips it); a row of another width is an error here: pandas reads it.
                parse_options=pa_csv.ParseOptions(
                    newlines_in_values=True, ignore_empty_lines=False
                ),
                convert_options=pa_csv.ConvertOptions(
                    column_types={name: pa.string() for name in names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            batches = iter(reader)
            done = False
            while not done:
                batch = next(batches, None)
                if batch is None:
                    done = True
                else:
                    pending.append(batch)
                held = sum(len(batch) for batch in pending)
                while held >= chunk_rows or (done and held):
                    rows = pa.Table.from_batches(pending)
                    chunk, rest = rows.slice(0, chunk_rows), rows.slice(chunk_rows)
                    pending, held = rest.to_batches(), len(rest)
                    # Arrow all the way: no pandas frame (a copy of every cell) per chunk.
                    next_row += len(chunk)
                    yield (
                        Chunk(chunk.rename_columns(header), next_row - len(chunk)),
                        1.0 if done else min((next_row - 2) / size, 1.0),
                    )
        except pa.ArrowInvalid as exc:
            raise ReadAgain(str(exc)) from exc


def _csv_header(head: bytes, encoding: str, file_name: str) -> list[str]:
    """The first record of the file, read by the csv module from the first 64 kB."""
    try:
        # An incremental decoder keeps a character cut at the 64 kB boundary for later.
        text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise FileProblem(
            f"{file_name} is not UTF-8 text: save it as 'CSV UTF-8' (or UTF-16 with a BOM)."
        ) from exc
    try:
        first = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))), None)
    except csv.Error as exc:
        raise FileProblem(f"{file_name}: the header row is malformed ({exc}).") from exc
    if not first or not any(name.strip() for name in first):
        raise FileProblem(f"{file_name} is empty: it needs a header row naming the columns.")
    return _normalise_header(first)


_RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _ragged_row_message(exc: Exception, file_name: str, width: int) -> str:
    found = _RAGGED.search(str(exc))
    if not found:
        return f"{file_name}: the CSV is malformed ({exc})."
    # pandas counts lines of the file, the header being line 1: a spreadsheet's row numbers.
    return _overlong_message(file_name, int(found.group(2)), width, cells=int(found.group(3)))


def _refuse_overlong_rows(frame: pd.DataFrame, first_row: int, file_name: str, width: int):
    spare = frame[width].fillna("").astype(str)
    over = np.flatnonzero(spare.str.len().to_numpy() > 0)
    if len(over):
        raise FileProblem(_overlong_message(file_name, first_row + int(over[0]), width))


def _overlong_message(file_name: str, row: int, width: int, cells: int | None = None) -> str:
    count = "more cells" if cells is None else f"{cells} cells, more"
    return (
        f"{file_name}, row {row}: {count} than the {width} columns the header names. "
        "A value holding a comma needs quotes around it."
    )


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 1995 as 1995.0
    return str(value)


def _shown_cell_text(cell) -> str:
    """A cell's value as the sheet shows it: 0.45 formatted as a percentage reads "45"."""
    value = cell.value
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and "%" in (getattr(cell, "number_format", "") or "")
    ):
        value = round(value * 100, 9)  # 0.45 * 100 is 45.00000000000001 in binary
    return _cell_text(value)


def _xlsx_chunks(path: Path, file_name: str, sheet: str, chunk_rows: int):
    from openpyxl import load_workbook

    with open(path, "rb") as probe:
        if probe.read(4) != b"PK\x03\x04":
            raise FileProblem(
                f"{file_name} is not an Excel workbook (.xlsx), although its name says so. "
                "Is it a CSV or an old .xls file? Save it as .xlsx or CSV."
            )
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileProblem(f"{file_name} is not a readable Excel workbook (.xlsx).") from exc
    if sheet and sheet not in workbook.sheetnames:
        workbook.close()
        raise FileProblem(
            f"{file_name} has no sheet '{sheet}'; its sheets are {', '.join(workbook.sheetnames)}."
        )
    worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    rows = worksheet.iter_rows()
    header_row = next(rows, None)
    header_row = None if header_row is None else [cell.value for cell in header_row]
    if header_row is None or not any(cell is not None for cell in header_row):
        workbook.close()
        raise FileProblem(f"{file_name} is empty: its first row should name the columns.")
    header = _normalise_header(header_row)
    total = max((worksheet.max_row or 0) - 1, 1)  # from the sheet's dimension; may be unknown

    def chunks():
        buffer, numbers, row_number = [], [], 1
        try:
            for values in rows:
                row_number += 1
                buffer.append([_shown_cell_text(cell) for cell in values[: len(header)]])
                numbers.append(row_number)
                if len(buffer) >= chunk_rows:
                    yield _sheet_chunk(buffer, numbers, header), min((row_number - 1) / total, 1.0)
                    buffer, numbers = [], []
            if buffer:
                yield _sheet_chunk(buffer, numbers, header), 1.0
        finally:
            workbook.close()

    return header, chunks()


def _sheet_chunk(rows: list[list[str]], numbers: list[int], header: list[str]) -> Chunk:
    width = len(header)
    padded = [row + [""] * (width - len(row)) for row in rows]
    return _text_chunk([list(column) for column in zip(*padded, strict=True)], header, numbers[0])


# Validation -------------------------------------------------------------------------------


@dataclass
class References:
    """The keys a table's rows may name; None means "not checked" (free text)."""

    cluster: set[str] | None
    group: set[str] | None
    size_class: set[str] | None
    default_cluster: str = ""


def references_for(table: FirmTable) -> References:
    if table.case_id:
        case = table.case
        return References(
            cluster=set(case.clusters.values_list("key", flat=True)),
            group=set(case.actor_groups.values_list("key", flat=True)),
            size_class=set(case.size_classes.values_list("key", flat=True)),
            default_cluster=table.cluster.key if table.cluster_id else "",
        )
    # An assessment is one cluster: its rows name it or leave it blank; groups are the
    # assessment's own; size classes are the officer's words.
    assessment = table.assessment
    return References(
        cluster={assessment.name},
        group=set(assessment.groups.values_list("name", flat=True)),
        size_class=None,
    )


def _shown(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


class ChunkValidator:
    """Validates chunk after chunk, keeping only the identifier hashes between chunks."""

    def __init__(self, references: References):
        self.references = references
        self.seen = np.empty(0, dtype=np.uint64)  # sorted hashes of every identifier so far
        self.known: dict[str, pa.Array] = {}  # each checked column's allowed values, for is_in

    def validate(self, chunk: Chunk) -> tuple[pa.Table, list[RowError]]:
        """The typed, clean rows of one chunk (an Arrow table of STAGED_COLUMNS) and its errors
        (rows with errors are dropped). Every test is a kernel over a whole column; Python runs
        per row only to word an error, and at most MAX_ERRORS times per test."""
        errors: list[tuple[int, int, RowError]] = []  # (row, column position, error) for sorting
        count = len(chunk)
        present = chunk.cells.column_names
        text: dict[str, pa.Array] = {}
        size: dict[str, np.ndarray] = {}  # bytes per cell: blank is zero bytes
        for name in COLUMN_NAMES:
            if name in present:
                values = chunk.cells.column(name).combine_chunks()
                if values.type != pa.string():
                    values = values.cast(pa.string())
                if values.null_count:  # pandas leaves the cells of a short row missing
                    values = values.fill_null("")
                text[name], size[name] = _stripped(values)
            else:
                text[name] = pa.repeat(pa.scalar("", pa.string()), count)
                size[name] = np.zeros(count, dtype=np.int32)
        rows = chunk.first_row + np.arange(count, dtype=np.int64)
        # Rows with nothing in them (blank lines, trailing sheet rows) are not firms.
        filled = np.logical_or.reduce([size[name] > 0 for name in COLUMN_NAMES])
        if not filled.all():
            keep = pa.array(filled)
            text = {name: values.filter(keep) for name, values in text.items()}
            size = {name: sizes[filled] for name, sizes in size.items()}
            rows = rows[filled]
        bad = np.zeros(len(rows), dtype=bool)
        out: dict[str, pa.Array] = {"source_row": pa.array(rows)}

        def flag(position: int, column: str, mask: np.ndarray, describe: Callable[[str], str]):
            if not mask.any():
                return
            bad[mask] = True
            where = np.flatnonzero(mask)[:MAX_ERRORS]
            for row, value in zip(
                rows[where].tolist(), text[column].take(where).to_pylist(), strict=True
            ):
                errors.append((row, position, RowError(row, column, describe(value))))

        for position, column in enumerate(COLUMNS):
            values, blank = text[column.name], size[column.name] == 0
            if column.required:
                flag(position, column.name, blank, lambda v: "missing: every firm needs one")
            if column.kind in TEXT_KINDS:
                # A character is at least a byte: only a column with a cell of more bytes than
                # the limit needs its characters counted.
                too_long = size[column.name] > column.max_length
                if too_long.any():
                    too_long = pc.utf8_length(values).to_numpy() > column.max_length
                    flag(
                        position,
                        column.name,
                        too_long,
                        lambda v, m=column.max_length: f"{len(v):,} characters; at most {m:,}",
                    )
                out[column.name] = values
                allowed = self._allowed(column)
                if allowed is not None:
                    known = pc.is_in(values, value_set=self._value_set(column, allowed))
                    unknown = ~blank & ~known.to_numpy(zero_copy_only=False) & ~too_long
                    flag(position, column.name, unknown, self._unknown_message(column, allowed))
                continue
            numbers = _numbers(values, blank)
            finite = ~np.isnan(numbers)
            flag(
                position,
                column.name,
                ~blank & ~finite,
                lambda v, c=column: (
                    f"{_shown(v)} is not a {'whole number' if c.kind == 'int' else 'number'}"
                    + (" (use a point for decimals, no thousands separators)" if "," in v else "")
                ),
            )
            if column.kind == "int":
                flag(
                    position,
                    column.name,
                    finite & (np.fmod(numbers, 1, where=finite, out=np.zeros_like(numbers)) != 0),
                    lambda v: f"{_shown(v)} is not a whole number",
                )
            maximum = _this_year() if column.name == "founding_year" else column.maximum
            if column.minimum is not None:
                flag(
                    position,
                    column.name,
                    numbers < column.minimum,
                    lambda v, m=column.minimum: f"{v} is below {m:g}",
                )
            if maximum is not None:
                flag(
                    position,
                    column.name,
                    numbers > maximum,
                    lambda v, m=maximum, c=column: (
                        f"{v} is over {m:g}"
                        + (" (a share is 0 to 100 per cent)" if c.name == "export_share" else "")
                    ),
                )
            if column.kind == "int":
                # Rows out of range were refused above and are dropped; zero stands in for
                # them so that the cast to int64 never meets a number it cannot hold.
                whole = np.where(finite & (np.abs(numbers) < 2.0**62), np.round(numbers), 0)
                out[column.name] = pa.array(whole.astype(np.int64), mask=~finite)
            else:
                out[column.name] = pa.array(np.round(numbers, 2), mask=~finite)
        self._flag_duplicates(text["identifier"], size["identifier"] == 0, rows, errors)
        if errors:
            bad |= np.isin(rows, [row for row, _, _ in errors])
        default = self.references.default_cluster
        if default and (size["cluster"] == 0).any():
            blank_cluster = pa.array(size["cluster"] == 0)
            out["cluster"] = pc.if_else(blank_cluster, pa.scalar(default), out["cluster"])
        for kind in ("firm_ties", "institution_ties"):
            out[kind.replace("ties", "tie_count")] = pa.array(_list_lengths(out[kind]))
        clean = pa.table({name: out[name] for name in STAGED_COLUMNS})
        if bad.any():
            clean = clean.filter(pa.array(~bad))
        errors.sort(key=lambda item: (item[0], item[1]))
        return clean, [error for _, _, error in errors]

    def _allowed(self, column: Column) -> set[str] | None:
        if column.kind == "choice":
            return set(BuyerType.values)
        if column.kind in {"cluster", "group", "size_class"}:
            return getattr(self.references, column.kind)
        return None

    def _value_set(self, column: Column, allowed: set[str]) -> pa.Array:
        if column.name not in self.known:
            self.known[column.name] = pa.array(sorted(allowed), type=pa.string())
        return self.known[column.name]

    @staticmethod
    def _unknown_message(column: Column, allowed: set[str]) -> Callable[[str], str]:
        known = ", ".join(sorted(allowed)[:8]) + (", …" if len(allowed) > 8 else "")
        if column.kind == "choice":
            return lambda v: f"{_shown(v)} is not a buyer type; use one of {known}"
        what = column.name.replace("_", " ")
        if not allowed:
            return lambda v: f"no {what} {_shown(v)}: this table's owner has no {what}s"
        return lambda v: f"no {what} {_shown(v)} here; known: {known}"

    def _flag_duplicates(
        self, identifiers: pa.Array, blank: np.ndarray, rows: np.ndarray, errors: list
    ) -> None:
        position = COLUMN_NAMES.index("identifier")
        if blank.any():
            identifiers, rows = identifiers.filter(pa.array(~blank)), rows[~blank]
        hashes = _hashes(identifiers)
        ordered = np.sort(hashes)
        within = np.zeros(len(identifiers), dtype=bool)
        # Two equal hashes in the chunk are the only way it can hold a duplicate: the exact
        # comparison of the identifiers runs only on the rows whose hash another row shares,
        # in the file's order, and names the first row of each.
        same = ordered[1:] == ordered[:-1]
        if same.any():
            order = np.argsort(hashes, kind="stable")
            shared = np.zeros(len(ordered), dtype=bool)
            shared[1:] |= same
            shared[:-1] |= same
            candidates = np.sort(order[shared])
            first_row: dict[str, int] = {}
            reported = 0
            for index, value in zip(
                candidates.tolist(), identifiers.take(candidates).to_pylist(), strict=True
            ):
                if value not in first_row:
                    first_row[value] = int(rows[index])
                    continue
                within[index] = True
                if reported < MAX_ERRORS:
                    reported += 1
                    message = f"{_shown(value)} is already on row {first_row[value]}"
                    errors.append(
                        (
                            int(rows[index]),
                            position,
                            RowError(int(rows[index]), "identifier", message),
                        )
                    )
        # Sorted queries walk the sorted hashes of the earlier chunks in order (cache-friendly);
        # only if one is found is each row's own hash looked up, to name the rows.
        if self.seen.size and self._among_seen(ordered).any():
            earlier = self._among_seen(hashes)
            hits = np.flatnonzero(earlier & ~within)[:MAX_ERRORS]
            for index, value in zip(hits.tolist(), identifiers.take(hits).to_pylist(), strict=True):
                message = f"{_shown(value)} is already on an earlier row"
                row = int(rows[index])
                errors.append((row, position, RowError(row, "identifier", message)))
        # Kept sorted for searchsorted. Both halves are sorted, so a stable sort (timsort for
        # 64-bit keys) of the concatenation is one linear merge of two runs, where a quicksort
        # would start over on every chunk (a million-row file: 20 sorts of up to a million).
        self.seen = np.sort(np.concatenate([self.seen, ordered]), kind="stable")

    def _among_seen(self, hashes: np.ndarray) -> np.ndarray:
        spot = np.searchsorted(self.seen, hashes).clip(max=self.seen.size - 1)
        return self.seen[spot] == hashes


def _offsets(values: pa.Array) -> np.ndarray:
    """Where each string of an Arrow string array (no nulls) starts in its data buffer, and
    where the last one ends: count + 1 int32s, read from the array's own buffer."""
    buffer = values.buffers()[1]
    return np.frombuffer(buffer, dtype=np.int32)[values.offset : values.offset + len(values) + 1]


def _stripped(values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The cells without leading or trailing whitespace (as str.strip), and their sizes in
    bytes. Most columns have no cell to strip: a look at each cell's first and last byte finds
    that out (an ASCII byte above space cannot be whitespace; anything else might be, so the
    column is stripped by Arrow's Unicode kernel), and then the column is kept as it is."""
    offsets = _offsets(values)
    sizes = np.diff(offsets)
    data = values.buffers()[2]
    if data is None or not sizes.any():
        return values, sizes
    data = np.frombuffer(data, dtype=np.uint8)
    filled = sizes > 0
    ends = np.concatenate([data[offsets[:-1][filled]], data[offsets[1:][filled] - 1]])
    if ((ends <= 0x20) | (ends >= 0x80)).any():
        values = pc.utf8_trim_whitespace(values)
        sizes = np.diff(_offsets(values))
    return values, sizes


_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # 2^64 / golden ratio, odd: a bijection mod 2^64


def _hashes(values: pa.Array) -> np.ndarray:
    """A 64-bit hash of each string's UTF-8 bytes, read eight at a time straight from the Arrow
    buffers with numpy: a few vector operations per eight bytes of the longest value, where
    pandas' hash makes a Python string of every cell first (a fifth of a chunk's check). Equal
    strings hash equal; the final mix is splitmix64's, so unequal ones collide about once in
    2^64 pairs, as with pandas' own 64-bit hash."""
    count = len(values)
    if count == 0:
        return np.empty(0, dtype=np.uint64)
    offsets, data_buffer = _offsets(values), values.buffers()[2]
    first, last = int(offsets[0]), int(offsets[-1])
    # The values' bytes, and eight zero bytes after them so that the last word can be read.
    data = np.zeros(last - first + 8, dtype=np.uint8)
    if last > first:
        data[: last - first] = np.frombuffer(data_buffer, np.uint8, last - first, first)
    # Every byte offset as the start of a little-endian 64-bit word (a view, no copy).
    words = np.ndarray((last - first + 1,), dtype="<u8", buffer=data, strides=(1,))
    starts = (offsets[:-1] - first).astype(np.intp)
    lengths = np.diff(offsets).astype(np.int64)
    hashes = lengths.astype(np.uint64) * _MULTIPLIER  # the length first: "a" is not "a\0"
    for byte in range(0, int(lengths.max()), 8):
        word = words[np.minimum(starts + byte, last - first)]
        left = lengths - byte  # of each value's bytes, from this word on
        short = left < 8
        if short.any():  # the bytes past a value's end belong to the next value: masked off
            bits = (np.clip(left, 0, 7) * 8).astype(np.uint64)
            word = np.where(short, word & ((np.uint64(1) << bits) - np.uint64(1)), word)
        mixed = (hashes ^ word) * _MULTIPLIER
        mixed ^= mixed >> np.uint64(32)
        # A value that ended before this word is not mixed again: its hash must not depend on
        # the longest value of its chunk.
        hashes = np.where(left > 0, mixed, hashes) if (left <= 0).any() else mixed
    hashes ^= hashes >> np.uint64(30)
    hashes *= np.uint64(0xBF58476D1CE4E5B9)
    hashes ^= hashes >> np.uint64(27)
    hashes *= np.uint64(0x94D049BB133111EB)
    hashes ^= hashes >> np.uint64(31)
    return hashes


def _list_lengths(values: pa.Array) -> np.ndarray:
    """How many items each ';'-separated list holds (items of only whitespace are not counted),
    in Arrow's C++ kernels: no Python call per row."""
    items = pc.split_pattern(values, LIST_SEPARATOR)
    filled = pc.not_equal(pc.utf8_trim_whitespace(pc.list_flatten(items)), "").to_numpy(
        zero_copy_only=False
    )
    owners = pc.list_parent_indices(items).to_numpy()
    return np.bincount(owners[filled], minlength=len(values)).astype(np.int64)


# A number as people type one: digits, an optional point and decimals, an optional exponent.
# Anything else ("1,5", "12 000", "n/a", "inf") is not a number.
NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def _numbers(values: pa.Array, blank: np.ndarray | None = None) -> np.ndarray:
    """The cells as float64, NaN where blank or not a (finite) number. Arrow's cast reads the
    column at once; it accepts what NUMBER matches plus the spellings of infinity and NaN (made
    NaN here, as a number too large for float64 is), so the slower regex runs only on a column
    where the cast fails, that is one with a bad cell. tests/test_firms.py holds the two to the
    same answer on every string of the characters numbers are made of."""
    if blank is None:
        blank = pc.binary_length(values).to_numpy() == 0
    if blank.any():
        values = pc.if_else(pa.array(blank), pa.scalar(None, pa.string()), values)
    try:
        parsed = pc.cast(values, pa.float64())
    except pa.ArrowInvalid:
        number = pc.match_substring_regex(values, NUMBER)
        parsed = pc.cast(pc.if_else(number, values, pa.scalar(None, pa.string())), pa.float64())
    numbers = parsed.to_numpy(zero_copy_only=False).copy()  # nulls are NaN; made writable
    numbers[~np.isfinite(numbers)] = np.nan
    return numbers


# Writing ----------------------------------------------------------------------------------

TARGET = FirmRecord._meta.db_table
STAGING = "firm_import_staging"
COPY_PIECE_BYTES = 1 << 20


def _quoted(names) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def _csv_for_copy(rows: pa.Table, table_id: int | None = None) -> pa.BufferReader:
    """The rows as CSV for COPY, by Arrow's CSV writer. Unquoted where no cell of the chunk
    holds a comma, quote or line break (Arrow's "needed" style quotes every string: a sixth
    more bytes for the server to parse), quoted otherwise. An unquoted empty cell still loads
    as '' because COPY is told FORCE_NOT_NULL for every text column; a missing number is an
    empty cell, which COPY loads as NULL."""
    if table_id is not None:
        rows = rows.add_column(0, "table_id", pa.repeat(pa.scalar(table_id), len(rows)))
    for quoting in ("none", "needed"):
        # Arrow's own in-memory stream, not a Python file: the writer never needs the GIL.
        sink = pa.BufferOutputStream()
        try:
            pa_csv.write_csv(
                rows, sink, pa_csv.WriteOptions(include_header=False, quoting_style=quoting)
            )
            break
        except pa.ArrowInvalid:  # "none" refuses a cell with a comma, quote or line break
            continue
    return pa.BufferReader(sink.getvalue())


class DirectCopy:
    """PostgreSQL: one transaction deletes the table's old rows and COPYs each clean chunk
    straight into the firm-record table as the check goes on; at the end it commits, or, after
    any error, rolls back. All or nothing holds through the transaction, and readers keep
    seeing the old rows (MVCC) until the commit. No staging table, no second copy.

    Each chunk's COPY runs in a thread of its own while the next chunk is read and checked:
    the database server inserts rows in its own process, and psycopg2 lets go of the GIL
    while it waits for it, so the two overlap instead of taking turns. One COPY at a time, in
    order. Nothing else may use the connection during a COPY, so they overlap only when the
    import owns its transaction (the worker, whose progress goes over a connection of its
    own); called inside a caller's transaction, which may use the connection between chunks
    (tests do), each COPY is waited for."""

    def __init__(self, table: FirmTable):
        self.table = table
        self.rows = 0
        self.finished = False
        self.sending: threading.Thread | None = None
        self.failure: BaseException | None = None
        self.columns = _quoted(("table_id", *STAGED_COLUMNS))
        # Blank text is '' (not NULL): FORCE_NOT_NULL; numbers left blank are NULL.
        text = _quoted(column.name for column in COLUMNS if column.kind in TEXT_KINDS)
        self.copy = (
            f"COPY {TARGET} ({self.columns}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({text}))"
        )

    def __enter__(self):
        self.overlap = not connection.in_atomic_block
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        with connection.cursor() as cursor:
            # The lock the foreign key's trigger would take for every row, taken once: the
            # table cannot be deleted under the import (progress updates still go through).
            cursor.execute(
                f"SELECT 1 FROM {FirmTable._meta.db_table} WHERE id = %s FOR KEY SHARE",
                [self.table.pk],
            )
        FirmRecord.objects.filter(table=self.table)._raw_delete(using=connection.alias)
        # The raw psycopg2 connection, for the COPY threads: Django's connection object is
        # per thread (another thread would get a connection, and transaction, of its own).
        self.raw = connection.connection
        return self

    def write(self, rows: pa.Table) -> None:
        if not len(rows):
            return
        self._wait()
        self.sending = threading.Thread(target=self._send, args=(rows,), daemon=True)
        self.sending.start()
        self.rows += len(rows)
        if not self.overlap:
            self._wait()

    def _send(self, rows: pa.Table) -> None:
        try:
            # The CSV is written here too, not in the import's thread: Arrow's writer lets go
            # of the GIL, so it overlaps the next chunk's check as the server's COPY does.
            data = _csv_for_copy(rows, self.table.pk)
            with self.raw.cursor() as cursor:
                # Read in pieces of a megabyte: psycopg2 takes the GIL back for every piece,
                # and at its default 8 kB a chunk would ask for it a thousand times.
                cursor.copy_expert(self.copy, data, size=COPY_PIECE_BYTES)
        except BaseException as exc:  # re-raised in the import's thread by _wait
            self.failure = exc

    def _wait(self) -> None:
        """Until the last COPY is done; its error, if it had one, raised here."""
        if self.sending is not None:
            self.sending.join()
            self.sending = None
        if self.failure is not None:
            failure, self.failure = self.failure, None
            with connection.wrap_database_errors:  # as Django's own errors (DatabaseError)
                raise failure

    def replace_rows(self) -> int:
        self._wait()
        FirmTable.objects.filter(pk=self.table.pk).update(row_count=self.rows)
        self.finished = True
        return self.rows

    def __exit__(self, *exc):
        try:
            self._wait()  # never roll back under a COPY still running
        except Exception:
            self.finished = False
            if exc[0] is None:
                transaction.set_rollback(True)
                self.atomic.__exit__(*exc)
                raise
        if not self.finished:
            transaction.set_rollback(True)
        return self.atomic.__exit__(*exc)


class Staging:
    """SQLite: a temporary table on the import's connection, then one set-based insert. (A
    write transaction open for the whole import would lock SQLite's file against every other
    writer, the progress updates included.)"""

    def __init__(self, table: FirmTable):
        self.table = table
        self.columns = _quoted(STAGED_COLUMNS)

    def __enter__(self):
        kinds = {column.name: column.kind for column in COLUMNS}
        definitions = ", ".join(
            f"{connection.ops.quote_name(name)} "
            + {"int": "bigint", "number": "real"}.get(kinds.get(name, "int"), "text")
            for name in STAGED_COLUMNS
        )
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
            cursor.execute(f"CREATE TEMPORARY TABLE {STAGING} ({definitions})")
        return self

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")

    def write(self, rows: pa.Table) -> None:
        if not len(rows):
            return
        columns = [rows.column(name).to_pylist() for name in STAGED_COLUMNS]  # nulls: None
        marks = ", ".join(["%s"] * len(STAGED_COLUMNS))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {STAGING} ({self.columns}) VALUES ({marks})",
                list(zip(*columns, strict=True)),
            )

    def replace_rows(self) -> int:
        """Swap the table's rows for the staged ones, all or nothing."""
        with transaction.atomic(), connection.cursor() as cursor:
            FirmRecord.objects.filter(table=self.table)._raw_delete(using=connection.alias)
            cursor.execute(
                f"INSERT INTO {TARGET} (table_id, {self.columns}) "
                f"SELECT %s, {self.columns} FROM {STAGING}",
                [self.table.pk],
            )
            count = cursor.rowcount
            FirmTable.objects.filter(pk=self.table.pk).update(row_count=count)
        return count


def writer_for(table: FirmTable):
    return DirectCopy(table) if connection.vendor == "postgresql" else Staging(table)


# The service ------------------------------------------------------------------------------


def _chunks(table: FirmTable, path: Path, file_name: str, chunk_rows: int, fast: bool):
    suffix = Path(file_name).suffix.lower()
    if suffix == ".csv":
        return _csv_chunks(path, file_name, chunk_rows, fast)
    if suffix == ".xlsx":
        return _xlsx_chunks(path, file_name, table.sheet, chunk_rows)
    raise FileProblem(f"{file_name}: upload a .csv or .xlsx file.")


def import_firm_table(
    table: FirmTable,
    path: Path | str,
    *,
    file_name: str = "",
    chunk_rows: int = CHUNK_ROWS,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate the whole file and, only if it has no error, replace the table's rows with it.

    Returns the report; never raises for a bad file (the report's errors say what is wrong)."""
    path = Path(path)
    file_name = file_name or path.name
    try:
        return _import(table, path, file_name, chunk_rows, progress, fast=True)
    except ReadAgain:  # nothing was kept: the writer rolled back
        return _import(table, path, file_name, chunk_rows, progress, fast=False)


def _import(table, path, file_name, chunk_rows, progress, *, fast: bool) -> ImportReport:
    report = ImportReport(file_name=file_name)
    started = time.perf_counter()
    try:
        header, chunks = _chunks(table, path, file_name, chunk_rows, fast)
        header_errors = _check_header(header, file_name)
        if header_errors:
            report.errors = header_errors
            return report
        validator = ChunkValidator(references_for(table))
        with writer_for(table) as writer:
            rows = _write_all(chunks, validator, writer, report, progress)
            if report.ok and rows == 0:
                report.errors.append(RowError(None, "", f"{file_name} has a header but no firms."))
            swap_started = time.perf_counter()
            if report.ok:
                report.rows = writer.replace_rows()
        if report.ok:  # the commit (PostgreSQL) is part of the swap
            report.swap_seconds = time.perf_counter() - swap_started
            report.phases["finish"] = report.swap_seconds
    except FileProblem as problem:
        report.errors.append(RowError(None, "", str(problem)))
    finally:
        report.seconds = time.perf_counter() - started
    return report


def _check_header(header: list[str], file_name: str) -> list[RowError]:
    errors = []
    unknown = [name for name in header if name not in COLUMN_NAMES]
    for name in unknown:
        shown = name or "(blank)"
        errors.append(
            RowError(
                1, shown, f"unknown column {shown!r}; the columns are {', '.join(COLUMN_NAMES)}"
            )
        )
    repeated = sorted({name for name in header if header.count(name) > 1 and name})
    for name in repeated:
        errors.append(RowError(1, name, f"column {name!r} appears more than once"))
    if "identifier" not in header:
        errors.append(RowError(1, "identifier", "missing column: every firm needs an identifier"))
    return errors


def _write_all(chunks: Iterator, validator: ChunkValidator, writer, report, progress) -> int:
    rows = 0
    clock = _PhaseClock(report.phases)
    for chunk, fraction in clock.timed("read", chunks):
        with clock("validate"):
            clean, errors = validator.validate(chunk)
        # Every row read is counted, the refused too: "396 rows checked" of 400 read
        # said neither.
        report.rows_read += len(chunk)
        report.rows_refused += len({error.row for error in errors if error.row is not None})
        if errors:
            report.errors.extend(errors[: MAX_ERRORS - len(report.errors)])
            if len(report.errors) >= MAX_ERRORS:
                report.stopped_early = True
                return rows
        if report.ok:  # after the first error nothing more is written; checking goes on
            with clock("write"):
                writer.write(clean)
        rows += len(clean)
        if progress:
            progress(fraction, report.rows_read)
    return rows


class _PhaseClock:
    """Adds up the seconds an import spends in each phase, for its report and the bench."""

    def __init__(self, phases: dict):
        self.phases = phases

    @contextmanager
    def __call__(self, phase: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.phases[phase] = self.phases.get(phase, 0.0) + time.perf_counter() - started

    def timed(self, phase: str, items: Iterator):
        """The items of an iterator, the time spent producing them counted under phase."""
        while True:
            with self(phase):
                item = next(items, _DONE)
            if item is _DONE:
                return
            yield item


_DONE = object()
