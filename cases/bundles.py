"""Case bundles: a case study as one file, downloaded and uploaded again.

A bundle holds a case and every row that belongs to it, one table per library model (case,
clusters, size classes, ... , sources), in one of three formats: an XLSX workbook with a sheet
per table, a zip of one CSV file per table, or the natural-key JSON the fixtures use. The tables
are the fixture objects laid flat: a reference to a row of the same case is its key, to the case
its slug, to a source its slug. So one mapping turns objects into rows (download) and rows into
objects (upload), and an upload is validated by the fixture loader's rules (`cases.loading`), not
by a second set.

`import_bundle` previews before it writes: per table, what would be created, updated (field by
field, old and new), left unchanged and deleted (a bundle gives the whole case: a row of the case
it leaves out is deleted); every error by sheet, row and column. Written only when asked, in one
transaction, and the library's data version moves.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd
from django.db import DatabaseError, models, transaction

from clusterdx.downloads import XLSX_TYPE, read_xlsx, to_csv, to_xlsx, un_neutralise

from . import loading
from .models import CaseStudy, LibraryVersion, Source

FORMATS = {"xlsx": XLSX_TYPE, "zip": "application/zip", "json": "application/json"}
# Excel keeps at most this many characters in a cell; a longer source text is left out of a
# bundle (and an upload that leaves it out keeps the stored text).
CELL_LIMIT = 32_767
# Written in a source's text cell, removes the stored text (a blank cell keeps it).
CLEAR_TEXT = "(clear)"
MAX_ROWS_PER_TABLE = 20_000
SHEET_NAMES = {"casestudy": "case", "historyevent": "history", "policysetting": "policy"}


def sheet_name(model: type[models.Model]) -> str:
    return SHEET_NAMES.get(model._meta.model_name, str(model._meta.verbose_name_plural))


def _tables() -> list[type[models.Model]]:
    """The bundle's tables in the loader's order (parents first), sources first."""
    return loading.library_models()


def columns(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if not f.primary_key]


def _is_case_item(model) -> bool:
    return model is not CaseStudy and model is not Source


# Download


def case_objects(case: CaseStudy) -> list[dict]:
    """The case as fixture objects (natural keys): the sources its rows cite, the case, and
    its rows, table by table. One query per table."""
    rows_by_model: dict = {CaseStudy: [case]}
    for model in _tables():
        if _is_case_item(model):
            relations = [f.name for f in model._meta.concrete_fields if f.is_relation]
            relations = [name for name in relations if name != "case"]
            rows_by_model[model] = list(
                model.objects.filter(case=case).select_related(*relations).order_by("id")
            )
    cited = {row.source_id for rows in rows_by_model.values() for row in rows}
    rows_by_model[Source] = list(Source.objects.filter(pk__in=cited).order_by("id"))
    return [
        {"model": model._meta.label_lower, "fields": _fields(row, case.slug)}
        for model in _tables()
        for row in rows_by_model.get(model, [])
    ]


def _fields(row, case_slug: str) -> dict:
    values = {}
    for f in row._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.is_relation:
            target = getattr(row, f.name)
            if target is None:
                values[f.name] = None
            elif f.related_model in (CaseStudy, Source):
                values[f.name] = [target.slug]
            else:  # a row of the same case: its key within the case
                values[f.name] = [case_slug, target.key]
            continue
        value = getattr(row, f.attname)
        if f.name == loading.FULL_TEXT_FIELD and len(value) > CELL_LIMIT:
            continue  # kept as stored when the bundle comes back
        values[f.name] = str(value) if isinstance(value, Decimal) else value
    return values


def objects_as_tables(objects: list[dict]) -> dict[str, pd.DataFrame]:
    """Fixture objects as one frame per table, every table present (a blank template has only
    the headings)."""
    records: dict = {model: [] for model in _tables()}
    by_label = {m._meta.label_lower: m for m in _tables()}
    for obj in objects:
        model = by_label[obj["model"]]
        record = {}
        for name in columns(model):
            value = obj["fields"].get(name)
            if isinstance(value, list):
                value = value[-1]  # the slug or the key: the row's case is its own column
            record[name] = value
        records[model].append(record)
    return {sheet_name(model): _frame(model, rows) for model, rows in records.items()}


def _frame(model, rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns(model), dtype=object)
    for f in model._meta.concrete_fields:
        # whole numbers with gaps stay whole ("1991", not "1991.0") in CSV and XLSX alike
        if isinstance(f, models.IntegerField) and not f.primary_key:
            frame[f.name] = frame[f.name].astype("Int64")
    return frame


def workbook_number(text):
    """A decimal field's value (as the fixture's text, "90.000") as an XLSX number cell, so
    Excel does not flag it as a number stored as text: an int where it is whole, else a float
    where the float is exactly the decimal (always, for the library's 14 digits), else the
    text as it was."""
    if text is None or text is pd.NA:
        return None
    number = Decimal(str(text))
    if number == number.to_integral_value():
        return int(number)
    as_float = float(number)
    return as_float if Decimal(repr(as_float)) == number else str(text)


def _with_numbers(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables with every decimal column as numbers (whole-number columns already are)."""
    numbered = {}
    for model in _tables():
        frame = tables[sheet_name(model)]
        decimals = [
            f.name for f in model._meta.concrete_fields if isinstance(f, models.DecimalField)
        ]
        if decimals:
            frame = frame.assign(
                **{name: frame[name].map(workbook_number).astype(object) for name in decimals}
            )
        numbered[sheet_name(model)] = frame
    return numbered


def export_bundle(objects: list[dict], fmt: str) -> bytes:
    """The objects as a bundle file in `fmt` (xlsx, zip or json)."""
    if fmt == "json":
        return json.dumps(objects, ensure_ascii=False, indent=1).encode("utf-8")
    tables = objects_as_tables(objects)
    if fmt == "xlsx":
        return to_xlsx(_with_numbers(tables))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in tables.items():
            archive.writestr(f"{name}.csv", to_csv(frame))
    return buffer.getvalue()


# Upload: reading the tables


@dataclass(frozen=True)
class BundleError:
    where: str  # "Linkages row 14, column to_group", or a file
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Change:
    label: str  # the row's key (or slug)
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (field, old, new)


@dataclass
class TablePreview:
    created: list[str] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    unchanged: int = 0
    deleted: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


@dataclass
class ImportReport:
    files: list[str]
    errors: list[BundleError] = field(default_factory=list)
    tables: dict[str, TablePreview] = field(default_factory=dict)
    cases: list[str] = field(default_factory=list)  # slugs of the cases the bundle gives
    dry_run: bool = True
    written: bool = False
    version: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, what: str) -> int:
        return sum(
            t.unchanged if what == "unchanged" else len(getattr(t, what))
            for t in self.tables.values()
        )

    def summary(self) -> str:
        # Unchanged rows are not written: they are counted apart from what is.
        return (
            f"{self.count('created')} created, {self.count('updated')} updated, "
            f"{self.count('unchanged')} unchanged (not written), {self.count('deleted')} deleted"
        )


class _Unreadable(Exception):
    """The file cannot be read as a bundle; the message says why."""


@dataclass
class _Located:
    """Where each object given to the loader came from, to name it in errors."""

    # (file, index) -> ("file, sheet", row number): every error starts with the file's name
    places: dict = field(default_factory=dict)
    # Where each cell that could not be read is ("file, Sheet row N, column c"): the rest of
    # its row is still checked, and the loader's "is missing" for that cell is not repeated.
    cells: set = field(default_factory=set)


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4]:
        raise _Unreadable(f"{name} is UTF-16 (or another wide encoding); save it as UTF-8")
    try:
        return raw.decode("utf-8-sig")  # a byte-order mark, as Excel writes one, is fine
    except UnicodeDecodeError as exc:
        raise _Unreadable(
            f"{name} is not UTF-8 text (byte {exc.start:,} cannot be read); save it as UTF-8"
        ) from exc


def _tables_from_xlsx(raw: bytes) -> dict[str, list[list]]:
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise _Unreadable("is not an XLSX workbook (an XLSX file is a zip archive; this is not)")
    try:
        sheets = read_xlsx(raw)
        return {title: _bounded_rows(rows, title) for title, rows in sheets}
    except _Unreadable:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken workbook raises many kinds
        raise _Unreadable(f"is not an XLSX workbook that can be read ({exc})") from exc


def _bounded_rows(rows, table: str) -> list[list]:
    kept = []
    for number, row in enumerate(rows, 1):
        if number > MAX_ROWS_PER_TABLE + 1:
            raise _Unreadable(
                f"{table.capitalize()} has more than {MAX_ROWS_PER_TABLE:,} rows; split the "
                "bundle (a case bundle holds one case)"
            )
        kept.append(list(row))
    return kept


def _tables_from_zip(raw: bytes) -> dict[str, list[list]]:
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise _Unreadable("is not a zip archive of CSV files")
    tables = {}
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        for member in archive.infolist():
            if member.is_dir():
                continue
            name = Path(member.filename).name
            if not name.lower().endswith(".csv"):
                raise _Unreadable(f"holds {name}; a bundle's zip holds only .csv files")
            if member.file_size > loading.MAX_FILE_BYTES:
                raise _Unreadable(f"{name} is {member.file_size:,} bytes uncompressed; too big")
            text = _decode(archive.read(member), name)
            try:
                rows = _bounded_rows(csv.reader(io.StringIO(text)), name[:-4])
            except csv.Error as exc:
                raise _Unreadable(f"{name} is not valid CSV: {exc}") from exc
            tables[name[:-4]] = rows
    return tables


def _table_key(name: str) -> str:
    return re.sub(r"[\s_-]+", " ", name.strip().lower())


# Reading cells as JSON values the loader checks


class _CellProblem(Exception):
    pass


def _cell(model_field, value, case_slug: str | None):
    """A cell as the fixture value of its field; a blank cell for a field that has no blank
    value is left out (the loader then says it is required, or uses the default)."""
    if isinstance(value, str):
        value = un_neutralise(value)
    blank = value is None or (isinstance(value, str) and value.strip() == "")
    if model_field.is_relation:
        if blank:
            return None if model_field.null else _OMIT
        text = str(value).strip()
        if model_field.related_model in (CaseStudy, Source):
            return [text]
        if case_slug is None:
            raise _CellProblem("the row gives no case, so the reference cannot be read")
        return [case_slug, text]
    if model_field.name == loading.FULL_TEXT_FIELD:
        # A blank text cell keeps the stored text: a downloaded bundle leaves a text longer
        # than a cell holds blank, so blank cannot also mean "remove it". Removing takes the
        # explicit marker, which no source's full text is.
        if blank:
            return _OMIT
        if isinstance(value, str) and value.strip().lower() == CLEAR_TEXT:
            return ""
    if blank:
        if isinstance(model_field, models.CharField | models.TextField):
            return ""
        return None if model_field.null else _OMIT
    if isinstance(model_field, models.BooleanField):
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in ("true", "yes", "1"):
            return True
        if word in ("false", "no", "0"):
            return False
        raise _CellProblem(f"{str(value)[:40]!r} is not true or false")
    if isinstance(model_field, models.IntegerField):
        if isinstance(value, bool):
            raise _CellProblem("must be a whole number, not true or false")
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if re.fullmatch(r"[+-]?[0-9]{1,18}", text):
            return int(text)
        raise _CellProblem(f"{text[:40]!r} is not a whole number")
    if isinstance(model_field, models.DecimalField):
        if isinstance(value, bool):
            raise _CellProblem("must be a number, not true or false")
        return str(value).strip()  # the loader reads it and says when it is not a number
    return value


_OMIT = object()


def _objects_from_tables(
    tables: dict[str, list[list]], file: str, located: _Located, errors: list
) -> list[dict]:
    by_sheet = {_table_key(sheet_name(m)): m for m in _tables()}
    objects = []
    for table, rows in tables.items():
        model = by_sheet.get(_table_key(table))
        title = table.capitalize()
        if model is None:
            errors.append(
                BundleError(
                    f"{file}, sheet {table!r}",
                    "is not a table of a case bundle; use "
                    + ", ".join(sheet_name(m) for m in _tables()),
                )
            )
            continue
        if not rows:
            continue
        header = [str(h).strip() if h is not None else "" for h in rows[0]]
        fields = {f.name: f for f in model._meta.concrete_fields if not f.primary_key}
        unknown = [h for h in header if h and h not in fields]
        if unknown:
            errors.append(
                BundleError(
                    f"{file}, {title}, column {unknown[0]!r}",
                    f"unknown column; the {sheet_name(model)} table has {', '.join(fields)}",
                )
            )
            continue
        for number, row in enumerate(rows[1:], 2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue  # a blank line
            values = dict(zip(header, row, strict=False))
            case_slug = values.get("case") if model is not CaseStudy else values.get("slug")
            case_slug = str(case_slug).strip() if case_slug not in (None, "") else None
            obj_fields = {}
            for name, cell in values.items():
                if not name:
                    continue
                try:
                    value = _cell(fields[name], cell, case_slug)
                except _CellProblem as problem:
                    where = f"{file}, {title} row {number}, column {name}"
                    errors.append(BundleError(where, str(problem)))
                    located.cells.add(where)
                    continue
                if value is not _OMIT:
                    obj_fields[name] = value
            located.places[(file, len(objects))] = (f"{file}, {title}", number)
            objects.append({"model": model._meta.label_lower, "fields": obj_fields})
    return objects


def _read_bundle(name: str, raw: bytes, located: _Located, errors: list) -> list[dict] | None:
    suffix = Path(name).suffix.lower()
    try:
        if len(raw) > loading.MAX_FILE_BYTES:
            raise _Unreadable(f"is {len(raw):,} bytes; at most {loading.MAX_FILE_BYTES:,}")
        if not raw.strip():
            raise _Unreadable("is empty")
        if suffix == ".xlsx":
            return _objects_from_tables(_tables_from_xlsx(raw), name, located, errors)
        if suffix == ".zip":
            return _objects_from_tables(_tables_from_zip(raw), name, located, errors)
        if suffix != ".json":
            raise _Unreadable(
                "is not a bundle: upload an .xlsx workbook, a .zip of CSV files or a .json fixture"
            )
    except _Unreadable as exc:
        errors.append(BundleError(name, str(exc)))
        return None
    report = loading.LoadReport()
    objects = loading.read_objects(name, raw, report)
    errors.extend(BundleError(e.file, e.message) for e in report.errors)
    return objects


# Upload: validating and writing


def _where(error: loading.LoadError, located: _Located, field_names: set[str]) -> list[BundleError]:
    """A loader error as errors by sheet, row and column (or by file and object for JSON)."""
    place = located.places.get((error.file, error.index))
    if place is None:
        return [BundleError(str(error).split(": ", 1)[0], error.message)]
    sheet, row = place
    names = "|".join(sorted(map(re.escape, field_names), key=len, reverse=True))
    parts = re.split(rf"; (?=(?:{names}): )", error.message)
    found = []
    for part in parts:
        column, _, message = part.partition(": ")
        named = column.split(", ")
        if column in field_names:
            found.append(BundleError(f"{sheet} row {row}, column {column}", message))
        elif all(name in field_names for name in named):  # a rule over several columns
            found.append(BundleError(f"{sheet} row {row}, columns {column}", message))
        else:
            found.append(BundleError(f"{sheet} row {row}", part))
    return found


def _shown(value) -> str:
    if value is None:
        return "(empty)"
    return str(value)


def _related_label(obj) -> str:
    """A referred-to row as its cell shows it: its key, or a case's or source's slug."""
    if obj is None:
        return "(empty)"
    return getattr(obj, "key", None) or obj.slug


def _change(entry) -> Change | None:
    stored, new = entry.stored, entry.obj
    change = Change(_related_label(new))
    for f in new._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.is_relation:
            old_target = getattr(stored, f.name)
            new_target = entry.targets.get(f.name, getattr(new, f.name))
            if _related_label(old_target) != _related_label(new_target):
                change.fields.append(
                    (f.name, _related_label(old_target), _related_label(new_target))
                )
        elif getattr(stored, f.attname) != getattr(new, f.attname):
            change.fields.append(
                (f.name, _shown(getattr(stored, f.attname)), _shown(getattr(new, f.attname)))
            )
    return change if change.fields else None


def import_bundle(
    files: list[tuple[str, bytes]], *, dry_run: bool = True, by: str = ""
) -> ImportReport:
    """Preview (dry_run) or write the bundles given as (file name, bytes). Any error: nothing
    is written. Written in one transaction, which moves the library's data version."""
    report = ImportReport(files=[name for name, _ in files], dry_run=dry_run)
    located = _Located()
    load_report = loading.LoadReport(dry_run=dry_run)
    loader = loading.Loader(load_report)
    entries = []
    models_by_label = {m._meta.label_lower: m for m in loader.models}
    for name, raw in files:
        objects = _read_bundle(name, raw, located, report.errors)
        if objects is not None:
            entries += loading.fixture_entries(name, objects, models_by_label, load_report)
    report.cases = sorted(
        {e.fields.get("slug") for e in entries if e.model is CaseStudy} - {None}, key=str
    )
    # A file, sheet or column that cannot be read stops the check (its rows are missing, so
    # every reference to them would be a false error); a cell that cannot be read does not:
    # the rest of its row, and every other row, is still checked, so all problems show at once.
    unreadable = [e for e in report.errors if e.where not in located.cells]
    try:
        with transaction.atomic():
            LibraryVersion.objects.locked()  # one import at a time: each sees the last
            if not unreadable and not load_report.errors:
                loading.validate_entries(loader, entries, replaced_cases=report.cases)
            fields = {f.name for m in loader.models for f in m._meta.concrete_fields}
            for error in load_report.errors:
                report.errors.extend(
                    e for e in _where(error, located, fields) if e.where not in located.cells
                )
            report.errors.extend(_still_named_by_firm_rows(loader.deleted))
            if report.errors:
                raise loading.LoadAborted
            _preview(report, loader, entries)
            if dry_run or not any(t.changed for t in report.tables.values()):
                raise loading.LoadAborted
            loader.write(entries)
            for model in reversed(loader.models):  # children first
                doomed = [row.pk for row in loader.deleted if type(row) is model]
                if doomed:
                    model._base_manager.filter(pk__in=doomed).delete()
            LibraryVersion.objects.record_change(
                f"import_data {', '.join(report.files)}{f' by {by}' if by else ''}: "
                f"{report.summary()}"
            )
            report.written = True
    except loading.LoadAborted:
        pass
    except DatabaseError as exc:
        report.errors.append(
            BundleError(", ".join(report.files), f"the database refused it: {exc}")
        )
        report.written = False
    report.errors = [_named_by_file(e, report.files) for e in report.errors]
    report.version = LibraryVersion.objects.current().version
    return report


def _named_by_file(error: BundleError, files: list[str]) -> BundleError:
    """Every error starts with the file's name (the files', for one about all of them)."""
    if any(error.where == name or error.where.startswith(f"{name}, ") for name in files):
        return error
    return BundleError(f"{', '.join(files)}, {error.where}", error.message)


def _still_named_by_firm_rows(deleted) -> list[BundleError]:
    """A row the bundle leaves out (so deletes) while a firm table's rows still name it by
    key: refused, as the admin's delete page refuses it (firms.references says why)."""
    from firms.references import naming  # firms builds on cases: imported when used

    return [
        BundleError(f"{sheet_name(type(found.row))} {found.row.key}", str(found))
        for found in naming(deleted)
    ]


def _preview(report: ImportReport, loader, entries) -> None:
    report.tables = {sheet_name(m): TablePreview() for m in loader.models}
    for entry in entries:
        table = report.tables[sheet_name(entry.model)]
        if entry.stored is None:
            table.created.append(_related_label(entry.obj))
            continue
        change = _change(entry)
        if change is None:
            table.unchanged += 1
        else:
            table.updated.append(change)
    for row in loader.deleted:
        report.tables[sheet_name(type(row))].deleted.append(_related_label(row))


def blank_template(fmt: str) -> bytes:
    return export_bundle([], fmt)


def preview_lines(report: ImportReport) -> list[str]:
    """The preview as plain lines, table by table (the command prints them)."""
    lines = []
    for table, preview in report.tables.items():
        if not preview.changed and not preview.unchanged:
            continue
        lines.append(
            f"{table}: {len(preview.created)} created, {len(preview.updated)} updated, "
            f"{preview.unchanged} unchanged, {len(preview.deleted)} deleted"
        )
        lines += [f"  + {label}" for label in preview.created]
        for change in preview.updated:
            lines.append(f"  ~ {change.label}")
            lines += [f"      {name}: {old!r} → {new!r}" for name, old, new in change.fields]
        lines += [f"  - {label}" for label in preview.deleted]
    return lines
