"""Imports of case bundles as the admin page makes them: preview, confirm, history and undo.

Services over `cases.bundles.import_bundle` (which the management command calls directly):
each upload is kept as a `CaseImport` with the file and its preview; confirming writes it only
if the library has not changed since the preview (else the preview is made again, so that
nobody confirms changes they did not see); undoing restores what the cases held before.
"""

from __future__ import annotations

import json

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from . import bundles
from .loading import library_models
from .models import CaseImport, CaseStudy, Cluster, LibraryVersion, Source


def _changes(report: bundles.ImportReport) -> dict:
    return {
        table: {
            "created": preview.created,
            "updated": [{"label": c.label, "fields": c.fields} for c in preview.updated],
            "unchanged": preview.unchanged,
            "deleted": preview.deleted,
        }
        for table, preview in report.tables.items()
        if preview.changed or preview.unchanged
    }


def _record_preview(record: CaseImport, report: bundles.ImportReport) -> None:
    record.status = CaseImport.Status.PREVIEWED if report.ok else CaseImport.Status.REFUSED
    record.errors = [{"where": e.where, "message": e.message} for e in report.errors]
    record.changes = _changes(report)
    record.summary = report.summary() if report.ok else f"{len(report.errors)} error(s)"
    record.case_slugs = "," + ",".join(report.cases) + "," if report.cases else ""
    record.version_previewed = report.version


def preview_upload(*, user, filename: str, content: bytes) -> CaseImport:
    """Keep the file and its preview; nothing of the library is written."""
    record = CaseImport(user=user, filename=filename[:255], content=content)
    _record_preview(record, bundles.import_bundle([(filename, content)], dry_run=True))
    record.save()
    return record


def confirm_import(*, record: CaseImport) -> str | None:
    """Write a previewed import. Returns None when written, else why not (the preview is
    made again when the library changed since it was shown)."""
    if record.status != CaseImport.Status.PREVIEWED:
        return f"This import is {record.get_status_display().lower()}; upload the file again."
    with transaction.atomic():
        version = LibraryVersion.objects.locked().version
        if version != record.version_previewed:
            again = bundles.import_bundle([(record.filename, bytes(record.content))])
            _record_preview(record, again)
            record.save()
            return (
                "The library changed since this preview was made: here it is again, made "
                "against the data as it is now. Confirm again to write it."
            )
        record.before = {
            case.slug: bundles.case_objects(case)
            for case in CaseStudy.objects.filter(slug__in=record.cases)
        }
        report = bundles.import_bundle(
            [(record.filename, bytes(record.content))], dry_run=False, by=_who(record.user)
        )
        if not report.ok:
            _record_preview(record, report)
            record.save()
            return "The import was refused; nothing was written."
        record.status = CaseImport.Status.APPLIED
        record.applied_at = timezone.now()
        record.summary = report.summary()
        record.changes = _changes(report)
        record.save()
    return None


def _who(user) -> str:
    return user.get_username() if user is not None else ""


def undo_import(*, record: CaseImport, user) -> CaseImport | str:
    """Put the cases back as they were before the import; the undo is recorded as an import.
    Returns the undo's record, or why the import cannot be undone."""
    if record.status != CaseImport.Status.APPLIED or record.undo_of_id:
        return "Only a written import (not an undo) can be undone."
    other = later_import_blocking_undo(record)
    if other is not None:
        return _later_import_refusal(other)
    before = record.before or {}
    restore = [obj for slug in record.cases for obj in before.get(slug, [])]
    content = json.dumps(restore, ensure_ascii=False).encode("utf-8")
    with transaction.atomic():
        # Asked inside the transaction, so a table attached meanwhile is seen (and nothing
        # is written when one is).
        attached = _firm_tables_undo_would_delete(record.cases, before)
        if attached:
            return _refusal_for_firm_tables(record, attached)
        undo = CaseImport(
            user=user,
            filename=f"undo-of-import-{record.pk}.json",
            content=content,
            case_slugs=record.case_slugs,
            undo_of=record,
        )
        changes = {}
        if restore:
            report = bundles.import_bundle([(undo.filename, content)], dry_run=False, by=_who(user))
            if not report.ok:
                transaction.set_rollback(True)
                return "The earlier data no longer passes the library's rules: " + "; ".join(
                    map(str, report.errors[:3])
                )
            changes = _changes(report)
        added = [slug for slug in record.cases if slug not in before]
        if added:  # cases the import created: gone again, every row of them recorded
            for table, labels in _rows_of_cases(added).items():
                _record_deleted(changes, table, labels)
            CaseStudy.objects.filter(slug__in=added).delete()
        gone = _delete_uncited_sources(record.changes.get("sources", {}).get("created", []))
        _record_deleted(changes, bundles.sheet_name(Source), gone)
        LibraryVersion.objects.record_change(f"undo of import #{record.pk} by {_who(user)}")
        undo.status = CaseImport.Status.APPLIED
        undo.applied_at = timezone.now()
        undo.changes = changes
        counts = [
            _rows(sum(len(t.get(what, [])) for t in changes.values()), what)
            for what in ("created", "updated", "deleted")
            if any(t.get(what) for t in changes.values())
        ]
        undo.summary = f"undo of import #{record.pk}: {', '.join(counts) or 'nothing changed'}"
        undo.save()
        record.status = CaseImport.Status.UNDONE
        record.save(update_fields=["status"])
    return undo


def _rows(count: int, what: str) -> str:
    return f"{count:,} {'row' if count == 1 else 'rows'} {what}"


def later_import_blocking_undo(record: CaseImport) -> CaseImport | None:
    """The first import written after this one that changed one of its cases and still
    stands: undoing this one would overwrite it. Undone imports do not count, nor do the undos
    of imports written after this one: together they put the cases back as this import left
    them. (The undo of an earlier import does count: this undo would bring back what it
    took away.)"""
    if record.status != CaseImport.Status.APPLIED or record.undo_of_id:
        return None
    later = (
        CaseImport.objects.filter(
            status=CaseImport.Status.APPLIED, applied_at__gt=record.applied_at
        )
        .exclude(pk=record.pk)
        .exclude(undo_of__applied_at__gt=record.applied_at)
        .order_by("applied_at")
    )
    for other in later:
        if set(other.cases) & set(record.cases):
            return other
    return None


def _later_import_refusal(other: CaseImport) -> str:
    if other.undo_of_id:
        return (
            f"Import #{other.pk}, the undo of the earlier import #{other.undo_of_id}, changed "
            f"the same case later: undoing this import now would bring back what that undo "
            f"took away, and an undo cannot itself be undone. Nothing was changed."
        )
    return (
        f"Import #{other.pk} changed the same case later; undo it first "
        f"({other.get_absolute_url()}). Nothing was changed."
    )


def firm_tables_blocking_undo(record: CaseImport) -> list:
    """The firm tables that stop this import's undo (the page lists them before asking)."""
    if record.status != CaseImport.Status.APPLIED or record.undo_of_id:
        return []
    return _firm_tables_undo_would_delete(record.cases, record.before or {})


def _firm_tables_undo_would_delete(slugs: list[str], before: dict) -> list:
    """Firm tables the undo would take with it (by the database's cascade): those of a case
    the import created, and those of a cluster it added to a case it changed."""
    from firms.models import FirmTable  # firms builds on cases: imported when used

    added = [slug for slug in slugs if slug not in before]
    doomed = Q(case__slug__in=added)
    for slug in slugs:
        if slug in added:
            continue
        kept = [
            obj["fields"].get("key")
            for obj in before[slug]
            if obj["model"] == Cluster._meta.label_lower
        ]
        doomed |= Q(case__slug=slug, cluster__isnull=False) & ~Q(cluster__key__in=kept)
    return list(
        FirmTable.objects.filter(doomed).select_related("case", "cluster").order_by("title", "pk")
    )


def _refusal_for_firm_tables(record: CaseImport, tables) -> str:
    """Refused rather than asked with a checkbox: firm tables come from an officer's or an
    admin's file, not from the library, so neither re-importing the case nor undoing the
    undo would bring them (or their rows) back."""
    names = "; ".join(
        f"'{t.title}' ({t.records.count():,} rows, of {t.cluster or t.case}): "
        f"{t.get_absolute_url()}, delete it at "
        f"{reverse('admin:firms_firmtable_delete', args=[t.pk])}"
        for t in tables
    )
    return (
        f"Import #{record.pk} cannot be undone while firm tables are attached to what it "
        f"would delete; they are not library data, and importing the case again would not "
        f"bring them back. Nothing was changed. Delete (or keep a copy of) each first: {names}."
    )


def _rows_of_cases(slugs: list[str]) -> dict[str, list[str]]:
    """The rows of these cases as the undo deletes them, by table, with their keys (the case
    by its slug); their sources are recorded when they go, if they go."""
    rows: dict[str, list[str]] = {}
    for case in CaseStudy.objects.filter(slug__in=slugs).order_by("slug"):
        for obj in bundles.case_objects(case):
            if obj["model"] == Source._meta.label_lower:
                continue
            model = apps.get_model(obj["model"])
            label = obj["fields"].get("key") or obj["fields"].get("slug")
            rows.setdefault(bundles.sheet_name(model), []).append(label)
    return rows


def _record_deleted(changes: dict, table: str, labels: list[str]) -> None:
    if labels:
        entry = changes.setdefault(
            table, {"created": [], "updated": [], "unchanged": 0, "deleted": []}
        )
        entry.setdefault("deleted", []).extend(labels)


def _delete_uncited_sources(slugs: list[str]) -> list[str]:
    """Sources an undone import created, once nothing cites them; the slugs of those deleted."""
    cited_models = [m for m in library_models() if m is not Source]
    deleted = []
    for source in Source.objects.filter(slug__in=slugs).order_by("slug"):
        if not any(m.objects.filter(source=source).exists() for m in cited_models):
            source.delete()
            deleted.append(source.slug)
    return deleted


ROW_HISTORY_SCAN = 1000  # written imports read for one row's history (bounded per request)


def written_imports(*, case: str = ""):
    """Imports that wrote something (undos included), newest first: the ones a row's history
    is made of. Previews and refused uploads changed nothing."""
    records = CaseImport.objects.filter(applied_at__isnull=False).select_related("user")
    if case:
        records = records.touching(case)
    return records.defer("content", "before").order_by("-applied_at", "-pk")


def row_history(records, *, table: str, key: str) -> list[tuple[CaseImport, str, list]]:
    """What each import did to one row: (import, "created"/"updated"/"deleted", fields)."""
    found = []
    for record in records:
        changes = (record.changes or {}).get(table, {})
        if key in changes.get("created", []):
            found.append((record, "created", []))
        for change in changes.get("updated", []):
            if change["label"] == key:
                found.append((record, "updated", change["fields"]))
        if key in changes.get("deleted", []):
            found.append((record, "deleted", []))
    return found
