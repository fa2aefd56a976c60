"""Load case-library fixtures: validate every object, write all of them or none.

The fixtures are Django's JSON serialization with natural keys (`dumpdata --natural-primary
--natural-foreign` writes the same format), so the library can be exported and loaded again.
Objects are matched to stored rows by natural key, which makes loading idempotent: a second load
of the same files finds every row unchanged and writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, transaction

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures"


@dataclass(frozen=True)
class LoadError:
    file: str
    index: int | None  # position of the object in the file's list, 0-based
    label: str  # model and key, e.g. "cases.figure sinos-valley/firms-1991"
    message: str

    def __str__(self) -> str:
        where = self.file if self.index is None else f"{self.file}, object #{self.index}"
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


def _label(obj) -> str:
    meta = obj._meta
    try:
        key = "/".join(str(part) for part in obj.natural_key())
    except (AttributeError, ObjectDoesNotExist):
        key = getattr(obj, "key", "") or getattr(obj, "slug", "")
    return f"{meta.app_label}.{meta.model_name} {key}"


def _field_values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _format_validation_error(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _load_file(path: Path, report: LoadReport) -> bool:
    """Load one file into the open transaction. Returns False if the transaction is unusable."""
    name = path.name
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        report.errors.append(
            LoadError(
                name,
                None,
                "",
                f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            )
        )
        return True
    if not isinstance(raw, list):
        report.errors.append(LoadError(name, None, "", "the file must hold a JSON list of objects"))
        return True

    index = -1
    try:
        for index, deserialized in enumerate(serializers.deserialize("python", raw)):
            obj = deserialized.object
            label = _label(obj)
            model = type(obj)
            # The natural key found a stored row: validate as an update, not as a duplicate.
            stored = model._default_manager.filter(pk=obj.pk).first() if obj.pk else None
            obj._state.adding = stored is None
            try:
                obj.full_clean()
            except ValidationError as exc:
                report.errors.append(LoadError(name, index, label, _format_validation_error(exc)))
                continue
            if stored is not None and _field_values(stored) == _field_values(obj):
                report.unchanged += 1
                continue
            deserialized.save()
            if stored is None:
                report.created += 1
            else:
                report.updated += 1
    except (DeserializationError, ObjectDoesNotExist) as exc:
        # Usually a natural key that points at nothing: a missing or misspelt parent.
        report.errors.append(LoadError(name, index + 1, "", f"cannot be read: {exc}"))
    except DatabaseError as exc:
        # A failed statement poisons a PostgreSQL transaction: nothing more can be checked.
        report.errors.append(LoadError(name, index, "", f"the database refused it: {exc}"))
        return False
    return True


def load_fixtures(
    paths: Iterable[Path] | None = None,
    *,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Validate and load fixture files in one transaction. Any error: nothing is written."""
    report = LoadReport(dry_run=dry_run)
    files = list(paths) if paths is not None else default_fixture_paths()
    try:
        with transaction.atomic():
            for path in files:
                if progress:
                    progress(f"Loading {path.name}")
                if not _load_file(Path(path), report):
                    break
            if report.errors or dry_run:
                raise LoadAborted
    except LoadAborted:
        pass
    return report
