"""Load case-library fixtures: validate every object, write all of them or none.

The fixtures are Django's JSON serialization with natural keys (`dumpdata --natural-primary
--natural-foreign` writes the same format), so the library can be exported and loaded again.
Objects are matched to stored rows by natural key, which makes loading idempotent: a second load
of the same files finds every row unchanged and writes nothing.

How, in a number of queries that does not grow with the number of objects:
1. Read each file and check its shape (a JSON list of {"model", "fields"} objects, UTF-8).
2. Read each library model's stored rows once, into a map by natural key.
3. Build every object in memory, model by model (parents first), resolving natural keys from
   those maps; validate it as `full_clean()` would (fields, `clean()`, check constraints
   evaluated in Python, unique constraints against the load and the stored rows), and compare
   it with its stored row.
4. If nothing is wrong, write the new and changed rows in bulk, in one transaction.

A fingerprint of the files (with the paper and the schema the rules depend on) is stored in
the library's version row; loading the same files again while nothing else changed the data is
then skipped without reading a row. Every load that changes data moves the data version.
"""

from __future__ import annotations

import decimal
import functools
import hashlib
import inspect
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Bounds on what one file may ask of the loader; the shipped files are under 200 kB and their
# longest text is under 700 characters.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TEXT_CHARS = 10_000
# The field of a source holding its full text. Left out of an object, the stored text is kept
# (bundles and exports name a source without repeating a whole document).
FULL_TEXT_FIELD = "text"
# Part of the fingerprint: the code of the rules every object is checked by, so that
# unchanged files are checked again whenever a rule changes (no version number to forget).
RULE_SOURCES = [
    Path(__file__).resolve().parent / name for name in ("loading.py", "models.py", "fidelity.py")
]


@dataclass(frozen=True)
class LoadError:
    file: str
    index: int | None  # position of the object in the file's list, 0-based
    label: str  # model and key, e.g. "cases.figure sinos-valley/firms-1991"
    message: str

    def __str__(self) -> str:
        # Counted from 1, as an admin counts the objects of a file.
        where = self.file if self.index is None else f"{self.file}, object #{self.index + 1}"
        return (
            f"{where} ({self.label}): {self.message}" if self.label else f"{where}: {self.message}"
        )


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[LoadError] = field(default_factory=list)
    dry_run: bool = False
    skipped: bool = False  # the files were as last loaded: nothing was read or compared
    version: int = 0  # the library's data version after the load

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run and (self.created or self.updated) > 0

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged "
            f"objects {verb} loaded"
        )


class LoadAborted(Exception):
    """Raised inside the transaction so that nothing is kept when any object is invalid."""


def default_fixture_paths() -> list[Path]:
    return sorted(FIXTURE_DIR.glob("*.json"))


def library_models() -> list[type[models.Model]]:
    """The models fixtures may hold: the sources and every cited model of the cases app,
    parents first."""
    from .models import Cited, Source

    remaining = [
        m for m in apps.get_app_config("cases").get_models() if issubclass(m, Cited) or m is Source
    ]
    ordered: list[type[models.Model]] = []
    while remaining:
        ready = [m for m in remaining if all(p in ordered or p is m for p in _parents(m))]
        if not ready:  # a cycle of foreign keys: keep the definition order for the rest
            ready = remaining[:1]
        ordered.extend(ready)
        remaining = [m for m in remaining if m not in ready]
    return ordered


def _parents(model) -> list[type[models.Model]]:
    return [f.related_model for f in model._meta.concrete_fields if f.is_relation]


# Reading files


def _read_file(path: Path, report: LoadReport) -> list | None:
    """The file's list of objects, or None after reporting why it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        report.errors.append(LoadError(path.name, None, "", f"cannot be read: {exc.strerror}"))
        return None
    return read_objects(path.name, raw, report)


def read_objects(name: str, raw: bytes, report: LoadReport) -> list | None:
    """A JSON file's list of objects, or None after reporting why it cannot be read."""

    def fail(message: str) -> None:
        report.errors.append(LoadError(name, None, "", message))

    if len(raw) > MAX_FILE_BYTES:
        return fail(f"is {len(raw):,} bytes; a fixture file may hold at most {MAX_FILE_BYTES:,}")
    if not raw.strip():
        return fail("is empty; it must hold a JSON list of objects")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4]:
        return fail("is UTF-16 (or another wide encoding); save it as UTF-8")
    if b"\x00" in raw:
        return fail(f"holds a NUL byte (at byte {raw.index(0):,}): it is not a text file")
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark, as some editors write, is fine
    except UnicodeDecodeError as exc:
        return fail(f"is not UTF-8 text (byte {exc.start:,} cannot be read); save it as UTF-8")
    try:
        objects = json.loads(text)
    except json.JSONDecodeError as exc:
        return fail(f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
    except (ValueError, RecursionError) as exc:  # a number of 4,301+ digits; nesting too deep
        return fail(f"not valid JSON: {str(exc) or 'nested too deeply'}")
    if not isinstance(objects, list):
        return fail("the file must hold a JSON list of objects")
    return objects


@dataclass
class _Entry:
    """One object of a file, on its way to becoming a row."""

    file: str
    index: int
    model: type[models.Model]
    fields: dict
    obj: models.Model | None = None
    stored: models.Model | None = None
    targets: dict = field(default_factory=dict)  # foreign key name -> the object it points at
    label: str = ""


def fixture_entries(
    name: str, objects: list, models_by_label: dict, report: LoadReport
) -> list[_Entry]:
    entries = []
    for index, item in enumerate(objects):

        def fail(message: str, index=index) -> None:
            report.errors.append(LoadError(name, index, "", message))

        if not isinstance(item, dict):
            fail(f'must be an object with "model" and "fields", not a JSON {_json_type(item)}')
            continue
        label = item.get("model")
        if "model" not in item:
            fail('has no "model" (such as "cases.figure")')
            continue
        if not isinstance(label, str):
            fail(f'"model" must be a string such as "cases.figure", not {_json_type(label)}')
            continue
        if label.lower() == "cases.libraryversion":
            continue  # bookkeeping in a dumpdata export, not library data
        model = models_by_label.get(label.lower())
        if model is None:
            fail(
                f'"model": {label!r} is not a case-library model; '
                f"use one of {', '.join(sorted(models_by_label))}"
            )
            continue
        if "pk" in item:
            fail('"pk": objects are matched by natural key; leave the pk out')
            continue
        extra = sorted(set(item) - {"model", "fields"})
        if extra:
            fail(f'unknown key(s) {", ".join(map(repr, extra))}; give only "model" and "fields"')
            continue
        if "fields" not in item:
            fail(f'({label}) has no "fields"')
            continue
        if not isinstance(item["fields"], dict):
            fail(f'({label}) "fields" must be an object, not a JSON {_json_type(item["fields"])}')
            continue
        entries.append(_Entry(name, index, model, item["fields"]))
    return entries


def _json_type(value) -> str:
    names = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


# Converting values


class _Problem(Exception):
    """A field's value cannot be used; the message names the field."""


@functools.cache
def _natural_key_length(model) -> int:
    parameters = inspect.signature(model._default_manager.get_by_natural_key).parameters
    return len(parameters)


def _text_value(model_field, value) -> str:
    if not isinstance(value, str):
        raise _Problem(f"must be text, not a JSON {_json_type(value)}")
    if "\x00" in value:
        raise _Problem("contains a NUL character")
    # A source's full text is a whole document; it is bounded by the file size instead.
    limit = MAX_FILE_BYTES if model_field.name == FULL_TEXT_FIELD else MAX_TEXT_CHARS
    if len(value) > limit:
        raise _Problem(f"is {len(value):,} characters long; at most {limit:,}")
    return value


def _plain_value(model_field, value):
    """A JSON value as the field's Python value, as strictly as the JSON types allow."""
    if value is None:
        if model_field.null:
            return None
        raise _Problem("may not be null")
    if isinstance(model_field, models.BooleanField):
        if not isinstance(value, bool):
            raise _Problem(f"must be true or false, not a JSON {_json_type(value)}")
        return value
    if isinstance(model_field, models.IntegerField):
        if isinstance(value, float):
            raise _Problem(f"must be a whole number, not {value!r}")
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Problem(f"must be a whole number, not a JSON {_json_type(value)}")
        return value
    if isinstance(model_field, models.DecimalField):
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise _Problem(f"must be a number, not a JSON {_json_type(value)}")
        try:
            return model_field.to_python(value)
        except (ValidationError, decimal.DecimalException) as exc:
            raise _Problem(f"{value!r} is not a number") from exc
    if isinstance(model_field, models.CharField | models.TextField):
        return _text_value(model_field, value)
    try:
        return model_field.to_python(value)
    except ValidationError as exc:
        raise _Problem(" ".join(exc.messages)) from exc


# Validation that full_clean() would do with queries, done in memory


class _Unsupported(Exception):
    """A check constraint the Python evaluator cannot read; the database checks it."""


def _check_holds(node, obj) -> bool | None:
    """A check constraint's condition for one object, in SQL's three-valued logic: None is
    "unknown" (a NULL compared), which a CHECK constraint lets pass."""
    if isinstance(node, Q):
        results = [_check_holds(child, obj) for child in node.children]
        if node.connector == Q.AND:
            result = False if False in results else (None if None in results else True)
        else:
            result = True if True in results else (None if None in results else False)
        return result if result is None or not node.negated else not result
    if not isinstance(node, tuple) or len(node) != 2:
        raise _Unsupported(node)
    lookup, right = node
    name, _, operator = lookup.partition("__")
    operator = operator or "exact"
    left = _attribute(obj, name)
    if isinstance(right, F):
        right = _attribute(obj, right.name)
    elif hasattr(right, "resolve_expression"):
        raise _Unsupported(node)
    if operator == "isnull":
        return (left is None) == bool(right)
    if left is None or right is None:
        return None
    if operator == "in":
        return left in right
    compare = {
        "exact": lambda a, b: a == b,
        "gte": lambda a, b: a >= b,
        "gt": lambda a, b: a > b,
        "lte": lambda a, b: a <= b,
        "lt": lambda a, b: a < b,
    }.get(operator)
    if compare is None:
        raise _Unsupported(node)
    return compare(left, right)


def _attribute(obj, name: str):
    if name == "pk":
        return obj.pk
    try:
        return getattr(obj, obj._meta.get_field(name).attname)
    except FieldDoesNotExist as exc:
        raise _Unsupported(name) from exc


def _condition_fields(node) -> list[str]:
    if isinstance(node, Q):
        return [name for child in node.children for name in _condition_fields(child)]
    lookup, right = node
    names = [lookup.split("__")[0]]
    return names + ([right.name] if isinstance(right, F) else [])


def _check_constraint_errors(obj) -> list[tuple[list[str], str]]:
    """(the fields a violated check constraint reads, its message) for each one."""
    messages = []
    for constraint in obj._meta.constraints:
        if not isinstance(constraint, models.CheckConstraint):
            continue
        try:
            holds = _check_holds(constraint.condition, obj) is not False
        except _Unsupported:
            try:  # what full_clean() does: one query
                constraint.validate(type(obj), obj)
                holds = True
            except ValidationError:
                holds = False
        if not holds:
            fields = list(dict.fromkeys(_condition_fields(constraint.condition)))
            messages.append(
                (fields, f"{', '.join(fields)}: {constraint.get_violation_error_message()}")
            )
    return messages


def _unique_sets(model) -> list[tuple[str, ...]]:
    meta = model._meta
    sets = [tuple(c.fields) for c in meta.total_unique_constraints]
    sets += [tuple(group) for group in meta.unique_together]
    sets += [(f.name,) for f in meta.concrete_fields if f.unique and not f.primary_key]
    return list(dict.fromkeys(sets))


def _format_validation_error(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        # One "field: message" each, so that two problems of one field are two errors; a
        # check constraint's message names its own fields.
        return "; ".join(
            message if name == NON_FIELD_ERRORS else f"{name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        )
    return " ".join(error.messages)


def _natural_key_text(key: tuple) -> str:
    return "/".join(str(part) for part in key)


def _field_values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


# The load


class Loader:
    def __init__(self, report: LoadReport):
        self.report = report
        self.models = library_models()
        self.stored: dict = {}  # model -> {natural key: stored row}
        self.known: dict = {}  # model -> {natural key: the row as it will be after the load}
        self.first_place: dict = {}  # (model, natural key) -> the entry that gave it first
        self.provisional = 0  # negative ids for new objects until they are written
        self.failed: set = set()  # (model, natural key) of objects with errors
        self.forgotten: dict = {}  # model -> {natural key: stored row of a replaced case}
        self.deleted: list = []  # stored rows a bundle's replaced cases no longer hold

    def read_stored(self) -> None:
        """One query per model: every stored row, with its foreign keys linked in memory so
        that natural keys and `clean()` read no more rows."""
        from .models import PAPER_SLUG, Source

        by_pk: dict = {}
        for model in self.models:
            rows = list(model._base_manager.order_by())
            for row in rows:
                for fk in model._meta.concrete_fields:
                    target = getattr(row, fk.attname) if fk.is_relation else None
                    if target is not None and target in by_pk.get(fk.related_model, {}):
                        fk.set_cached_value(row, by_pk[fk.related_model][target])
            by_pk[model] = {row.pk: row for row in rows}
            if model is Source and not any(row.slug == PAPER_SLUG for row in rows):
                rows.append(Source.objects.paper())  # the default source of every fact
            self.stored[model] = {tuple(row.natural_key()): row for row in rows}
            self.known[model] = dict(self.stored[model])

    def forget_cases(self, slugs: set[str]) -> None:
        """Stored rows of these cases cannot be referred to unless given again."""
        if not slugs:
            return
        for model in self.models:
            if "case" not in {f.name for f in model._meta.concrete_fields}:
                continue
            rows = {k: r for k, r in self.known[model].items() if r.case.slug in slugs}
            self.forgotten[model] = rows
            for key in rows:
                del self.known[model][key]

    def fail(self, entry: _Entry, message: str, key: tuple | None = None) -> None:
        self.report.errors.append(LoadError(entry.file, entry.index, entry.label, message))
        if key is not None:
            self.failed.add((entry.model, key))

    def build(self, entry: _Entry) -> None:
        """Make the entry's object, validate it, and note it as created, updated or unchanged."""
        from .models import PAPER_SLUG, Source

        model, meta = entry.model, entry.model._meta
        entry.label = f"{meta.app_label}.{meta.model_name}"
        model_fields = {f.name: f for f in meta.concrete_fields if not f.primary_key}
        unknown = [name for name in entry.fields if name not in model_fields]
        if unknown:
            known_names = ", ".join(model_fields)
            return self.fail(
                entry, f"unknown field(s) {', '.join(map(repr, unknown))}; {entry.label} has "
                f"{known_names}"
            )  # fmt: skip
        # The default source passed in, so that making the object does not query for it.
        has_source = "source" in model_fields
        obj = model(source=self.known[Source][(PAPER_SLUG,)]) if has_source else model()
        problems = []
        stored_text = self._stored_full_text(entry)
        for name, model_field in model_fields.items():
            if name not in entry.fields:
                if name == "source" and model_field.is_relation:
                    # the default source, from memory rather than a query per object
                    target = self.known[model_field.related_model][(PAPER_SLUG,)]
                    setattr(obj, name, target)
                    entry.targets[name] = target
                elif name == FULL_TEXT_FIELD and stored_text is not None:
                    setattr(obj, name, stored_text)
                elif not model_field.has_default() and not model_field.blank:
                    problems.append(f"{name}: is missing, and it is required")
                continue
            value = entry.fields[name]
            try:
                if model_field.is_relation:
                    target = self.resolve(model_field, value)
                    setattr(obj, name, target)
                    entry.targets[name] = target
                else:
                    setattr(obj, model_field.attname, _plain_value(model_field, value))
            except _Problem as problem:
                problems.append(f"{name}: {problem}")
        try:
            key = tuple(obj.natural_key())
            entry.label += f" {_natural_key_text(key)}"
        except (AttributeError, models.ObjectDoesNotExist):
            key = None  # its parent is missing, which is among the problems
        if problems:
            return self.fail(entry, "; ".join(problems), key)
        first = self.first_place.setdefault((model, key), entry)
        if first is not entry:
            key_field = "slug" if "slug" in model_fields else "key"
            return self.fail(
                entry,
                f"{key_field}: the natural key {_natural_key_text(key)!r} was already given at "
                f"{first.file}, object #{first.index + 1}; each object needs its own (loading "
                "both would overwrite the first with the second)",
            )
        entry.stored = self.stored[model].get(key)
        if entry.stored is not None:
            obj.pk = entry.stored.pk
            obj._state.adding = False
        else:
            self.provisional -= 1
            obj.pk = self.provisional
        try:
            self.validate(obj, exclude=[*entry.targets, meta.pk.name])
        except ValidationError as exc:
            return self.fail(entry, _format_validation_error(exc), key)
        except (ArithmeticError, TypeError, ValueError) as exc:  # a value no rule foresaw
            return self.fail(entry, f"cannot be checked: {exc}", key)
        entry.obj = obj
        self.known[model][key] = obj

    def _stored_full_text(self, entry: _Entry) -> str | None:
        """A stored source's text, for an object that names the source without its text."""
        if FULL_TEXT_FIELD in entry.fields or not isinstance(entry.fields.get("slug"), str):
            return None
        stored = self.stored.get(entry.model, {}).get((entry.fields["slug"],))
        return getattr(stored, FULL_TEXT_FIELD, None) if stored is not None else None

    def resolve(self, model_field, value):
        """A natural-key reference as the object it names: loaded in this run or stored."""
        if value is None:
            if model_field.null:
                return None
            raise _Problem("may not be null")
        target_model = model_field.related_model
        length = _natural_key_length(target_model)
        if (
            not isinstance(value, list)
            or len(value) != length
            or not all(isinstance(part, str) for part in value)
        ):
            raise _Problem(
                f"must be the natural key of a {target_model._meta.label_lower}: "
                f"a list of {length} string(s), not {json.dumps(value)[:80]}"
            )
        if (target_model, tuple(value)) in self.failed:
            raise _Problem(
                f"{target_model._meta.label_lower} {_natural_key_text(tuple(value))!r} "
                "has errors of its own (listed with it)"
            )
        target = self.known.get(target_model, {}).get(tuple(value))
        if target is None and len(value) == 2:  # a row of a case: say which, in words
            raise _Problem(
                f"no {target_model._meta.verbose_name} {value[1]!r} in case {value[0]!r} "
                "(in this upload, or stored)"
            )
        if target is None:
            raise _Problem(
                f"no {target_model._meta.label_lower} {_natural_key_text(tuple(value))!r} "
                "in these files or in the database"
            )
        return target

    def validate(self, obj, exclude: list[str]) -> None:
        """full_clean() without its queries: unique constraints are checked in `check_unique`
        and check constraints here, in Python. Every problem is reported, as full_clean()
        does: clean() runs after a field's error, and a check constraint over a field that has
        an error already is skipped (the error says it in words)."""
        errors: dict = {}
        try:
            obj.clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            obj.clean()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        except (ArithmeticError, TypeError, ValueError):
            if not errors:
                raise  # a value no rule foresaw; a field's error explains it otherwise
        failed = set(errors)
        messages = [
            message
            for fields, message in _check_constraint_errors(obj)
            if not failed.intersection(fields)
        ]
        if messages:
            errors.setdefault(NON_FIELD_ERRORS, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def check_unique(self, model, entries: list[_Entry]) -> None:
        """Unique constraints over the rows as they will be: the stored ones, replaced by the
        loaded ones where natural keys match, together with the new ones."""
        owners = {}
        for key, row in self.known[model].items():
            for fields in _unique_sets(model):
                values = tuple(getattr(row, model._meta.get_field(f).attname) for f in fields)
                if None not in values:
                    owners.setdefault((fields, values), []).append(key)
        places = {tuple(e.obj.natural_key()): e for e in entries if e.obj is not None}
        for (fields, _values), keys in owners.items():
            if len(keys) < 2:
                continue
            for key in keys:
                entry = places.get(key)
                if entry is None:
                    continue  # a stored row: the loaded one clashing with it is reported
                others = ", ".join(
                    f"{places[k].file}, object #{places[k].index + 1}" if k in places
                    else f"the stored {_natural_key_text(k)}"
                    for k in keys if k != key
                )  # fmt: skip
                shown = ", ".join(f for f in fields if f != "case") or fields[0]
                self.fail(entry, f"{shown}: the same value as {others}, and it must be unique")
                entry.obj = None

    def write(self, entries: list[_Entry]) -> None:
        """Bulk writes, parents first; a new parent's id reaches its children on the way."""
        for model in self.models:
            creates, updates = [], []
            for entry in entries:
                if entry.model is not model or entry.obj is None:
                    continue
                obj = entry.obj
                for name, target in entry.targets.items():
                    setattr(obj, name, target)  # the target's id, now that it is written
                if entry.stored is None:
                    obj.pk = None
                    creates.append(obj)
                elif _field_values(obj) != _field_values(entry.stored):
                    updates.append(obj)
            if creates:
                if connection.features.can_return_rows_from_bulk_insert:
                    model._base_manager.bulk_create(creates)
                else:  # the children need the new ids
                    for obj in creates:
                        obj.save(force_insert=True)
            if updates:
                names = [f.name for f in model._meta.concrete_fields if not f.primary_key]
                model._base_manager.bulk_update(updates, names, batch_size=100)

    def count(self, entries: list[_Entry]) -> None:
        for entry in entries:
            if entry.stored is None:
                self.report.created += 1
            elif _field_values(entry.obj) != _field_values(entry.stored):
                self.report.updated += 1
            else:
                self.report.unchanged += 1


def fixtures_fingerprint(files: list[Path]) -> str:
    """SHA-256 of what a load's outcome depends on: the files' names and bytes, the code of
    the loader's rules, the paper that passages are checked against, and the migrations."""
    digest = hashlib.sha256()
    for source in RULE_SOURCES:
        digest.update(source.read_bytes())
    digest.update(Path(settings.PAPER_PATH).read_bytes())
    for migration in sorted(MIGRATIONS_DIR.glob("[0-9]*.py")):
        digest.update(migration.name.encode() + b"\n")
    for path in sorted(files, key=lambda p: (p.name, str(p))):
        digest.update(b"\0" + path.name.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


def load_fixtures(
    paths: Iterable[Path] | None = None,
    *,
    dry_run: bool = False,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Validate and load fixture files in one transaction. Any error: nothing is written.

    Files exactly as last loaded, while the data has not changed since by other means, are
    not read again (unless `force`): the report counts their objects as unchanged."""
    from .models import LibraryVersion

    report = LoadReport(dry_run=dry_run)
    files = [Path(p) for p in (paths if paths is not None else default_fixture_paths())]
    fingerprint = fixtures_fingerprint(files)
    try:
        with transaction.atomic():
            version = LibraryVersion.objects.locked()
            report.version = version.version
            if version.fixture_fingerprint == fingerprint and not force:
                report.skipped, report.unchanged = True, version.objects_loaded
                return report
            _load(files, report, progress)
            # Errors in file order, whatever the order the models were checked in.
            order = {path.name: position for position, path in enumerate(files)}
            report.errors.sort(key=lambda e: (order.get(e.file, 0), e.index or -1))
            if report.errors or dry_run:
                raise LoadAborted
            version.objects_loaded = report.created + report.updated + report.unchanged
            version.fixture_fingerprint = fingerprint
            if report.created or report.updated:
                version.version += 1
                version.changed_at = timezone.now()
                version.change = f"load_cases: {report.summary()}"[:200]
            version.save()
            report.version = version.version
    except LoadAborted:
        pass
    return report


def validate_entries(loader: Loader, entries: list[_Entry], replaced_cases=()) -> None:
    """Build and check every entry against the stored rows, counting created, updated and
    unchanged; errors go to the loader's report. The stored rows of `replaced_cases` (slugs)
    are not there to be referred to: a bundle gives the whole case, and what it leaves out is
    deleted (`loader.deleted` after the call)."""
    loader.read_stored()
    loader.forget_cases(set(replaced_cases))
    for model in loader.models:
        of_model = [e for e in entries if e.model is model]
        for entry in of_model:
            loader.build(entry)
        loader.check_unique(model, of_model)
    if loader.report.errors:
        return
    given = {(e.model, tuple(e.obj.natural_key())) for e in entries}
    loader.deleted = [
        row
        for model, rows in loader.forgotten.items()
        for key, row in rows.items()
        if (model, key) not in given
    ]
    loader.count(entries)


def _load(files: list[Path], report: LoadReport, progress) -> None:
    loader = Loader(report)
    models_by_label = {m._meta.label_lower: m for m in loader.models}
    entries: list[_Entry] = []
    for path in files:
        if progress:
            progress(f"Reading {path.name}")
        objects = _read_file(path, report)
        if objects is not None:
            entries += fixture_entries(path.name, objects, models_by_label, report)
    if report.errors:
        return  # a file cannot be read: its objects' parents may be missing, so stop here
    validate_entries(loader, entries)
    if report.errors:
        return
    if progress:
        progress(f"Validated {len(entries)} objects")
    if report.dry_run:
        return
    try:
        loader.write(entries)
    except DatabaseError as exc:
        # Written in bulk, so no one file or object can be named: say so rather than blame one.
        where = ", ".join(path.name for path in files)
        report.errors.append(
            LoadError(f"(writing {where})", None, "", f"the database refused the load: {exc}")
        )
