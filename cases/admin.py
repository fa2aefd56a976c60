"""Admin for correcting the case library: find one datum fast, edit it, keep its provenance.

Saving runs the models' validation, including the check that the passage is in the paper.
Every write moves the library's data version (LibraryVersion.record_change), in the same
transaction as the write, so that the next `load_cases` compares every object again instead of
trusting its fingerprint, and so that nothing cached from the old data (cases/derived.py)
is served again.
"""

from django.contrib import admin
from django.db import transaction

from .models import (
    ActorGroup,
    CaseImport,
    CaseStudy,
    Cluster,
    Conclusion,
    Figure,
    Firm,
    HistoryEvent,
    Institution,
    LibraryVersion,
    Linkage,
    Market,
    PolicySetting,
    SizeClass,
    Source,
)

PROVENANCE_FIELDSET = (
    "Provenance",
    {
        "fields": (
            "source",
            ("line_from", "line_to"),
            "locator",
            "passage",
            "citation",
            ("confidence", "note"),
        ),
        "description": "Lines of the source's stored text (the passage must appear verbatim in "
        "them), or, for a source whose text is not stored, a locator (page, table, sheet, row).",
    },
)
PROVENANCE_FIELDS = {
    "source",
    "line_from",
    "line_to",
    "locator",
    "passage",
    "citation",
    "confidence",
    "note",
}


class VersionedAdmin(admin.ModelAdmin):
    """Writes of library data through the admin: each moves the data version."""

    # Writes: each moves the data version. ModelAdmin's hooks rather than signals, so that
    # the loader's bulk writes (which keep the version themselves) are not counted twice.
    def _changed(self, request, what: str) -> None:
        LibraryVersion.objects.record_change(f"admin ({request.user}): {what}"[:200])

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            verb = "changed" if change else "added"
            self._changed(request, f"{obj._meta.verbose_name} {obj} {verb}")

    def delete_model(self, request, obj):
        with transaction.atomic():
            label = f"{obj._meta.verbose_name} {obj} deleted"
            super().delete_model(request, obj)
            self._changed(request, label)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            count = queryset.count()
            super().delete_queryset(request, queryset)
            self._changed(request, f"{count} {queryset.model._meta.verbose_name_plural} deleted")


class NamedByFirmRowsAdmin:
    """Clusters, actor groups and size classes: firm rows name them by key (text, no foreign
    key), so the delete page lists a row still named as protected and refuses, as a bundle
    leaving it out is refused. A cluster's groups and size classes go with it: checked too."""

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        from firms.references import naming  # firms builds on cases: imported when used

        doomed = list(objs)
        clusters = [obj.pk for obj in doomed if isinstance(obj, Cluster)]
        if clusters:
            doomed += ActorGroup.objects.filter(cluster__in=clusters)
            doomed += SizeClass.objects.filter(cluster__in=clusters)
        return deleted, counts, perms_needed, [*protected, *map(str, naming(doomed))]


class CitedAdmin(VersionedAdmin):
    """Shared layout: the row's own fields first, then its provenance."""

    list_filter = ["case", "source", "confidence"]
    search_fields = ["key", "passage", "citation", "note"]
    list_select_related = ["case"]
    list_per_page = 50

    def get_fieldsets(self, request, obj=None):
        form_fields = [
            name for name in self.get_fields(request, obj) if name not in PROVENANCE_FIELDS
        ]
        return [(None, {"fields": form_fields}), PROVENANCE_FIELDSET]

    @admin.display(description="Lines", ordering="line_from")
    def lines(self, obj):
        return obj.lines_label


@admin.register(Source)
class SourceAdmin(VersionedAdmin):
    list_display = ["short_title", "slug", "kind", "authors", "year"]
    search_fields = ["title", "authors", "slug"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "url":
            kwargs["assume_scheme"] = "https"  # what Django 6 will assume; no warning meanwhile
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(CaseImport)
class CaseImportAdmin(admin.ModelAdmin):
    """Read only: imports are made, confirmed and undone on their own pages (/library/imports/)."""

    list_display = ["id", "created_at", "user", "filename", "status", "summary"]
    list_filter = ["status"]
    exclude = ["content", "before"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what an import changed is what its undo reads


@admin.register(CaseStudy)
class CaseStudyAdmin(CitedAdmin):
    list_display = ["short_title", "slug", "country", "sector", "kind", "position"]
    list_filter = ["kind", "world_region"]
    list_select_related = []
    search_fields = ["slug", "title", "short_title", "country", "sector", "studies"]


@admin.register(Cluster)
class ClusterAdmin(NamedByFirmRowsAdmin, CitedAdmin):
    list_display = ["name", "case", "kind", "location", "lines"]
    search_fields = [*CitedAdmin.search_fields, "name", "location", "description"]


@admin.register(SizeClass)
class SizeClassAdmin(NamedByFirmRowsAdmin, CitedAdmin):
    list_display = ["name", "case", "cluster", "min_employees", "max_employees", "confidence"]
    list_select_related = ["case", "cluster"]
    search_fields = [*CitedAdmin.search_fields, "name", "definition"]


@admin.register(ActorGroup)
class ActorGroupAdmin(NamedByFirmRowsAdmin, CitedAdmin):
    list_display = ["name", "role", "cluster", "case", "lines"]
    list_filter = ["case", "role", "confidence"]
    list_select_related = ["case", "cluster"]
    search_fields = [*CitedAdmin.search_fields, "name", "description"]
    autocomplete_fields = ["size_class"]


@admin.register(Market)
class MarketAdmin(CitedAdmin):
    list_display = ["name", "kind", "cluster", "case", "competition_bases_display", "lines"]
    list_filter = ["case", "kind", "competes_on_price", "competes_on_quality"]
    list_select_related = ["case", "cluster"]
    search_fields = [*CitedAdmin.search_fields, "name", "destinations", "products"]

    @admin.display(description="Competes on")
    def competition_bases_display(self, obj):
        return ", ".join(obj.competition_bases) or "—"


@admin.register(Firm)
class FirmAdmin(CitedAdmin):
    list_display = ["name", "role", "ownership", "cluster", "case", "lines"]
    list_filter = ["case", "role", "ownership"]
    list_select_related = ["case", "cluster"]
    search_fields = [*CitedAdmin.search_fields, "name", "description"]
    autocomplete_fields = ["group", "market"]


@admin.register(Institution)
class InstitutionAdmin(CitedAdmin):
    list_display = [
        "name",
        "acronym",
        "kind",
        "ownership",
        "level",
        "founded",
        "status",
        "small_firm_reach",
        "case",
    ]
    list_filter = ["case", "kind", "ownership", "level", "status", "small_firm_reach"]
    search_fields = [*CitedAdmin.search_fields, "name", "acronym", "services"]


@admin.register(Linkage)
class LinkageAdmin(CitedAdmin):
    list_display = ["__str__", "direction", "nature", "strength", "trend", "case", "lines"]
    list_filter = ["case", "status", "direction", "nature", "strength", "trend"]
    list_select_related = [
        "case",
        "from_group",
        "from_institution",
        "to_group",
        "to_institution",
    ]
    search_fields = [*CitedAdmin.search_fields, "description"]
    autocomplete_fields = ["from_group", "from_institution", "to_group", "to_institution"]


@admin.register(HistoryEvent)
class HistoryEventAdmin(CitedAdmin):
    list_display = ["title", "period", "kind", "case", "lines"]
    list_filter = ["case", "kind"]
    search_fields = [*CitedAdmin.search_fields, "title", "description"]


@admin.register(Figure)
class FigureAdmin(CitedAdmin):
    list_display = ["label", "display_value", "period", "scope", "metric", "case", "lines"]
    list_filter = ["case", "metric", "scope", "unit", "headline", "confidence"]
    list_select_related = ["case", "cluster"]
    search_fields = [*CitedAdmin.search_fields, "label", "value_text", "basis", "series"]
    autocomplete_fields = ["actor_group", "size_class", "institution", "market", "firm"]


@admin.register(PolicySetting)
class PolicySettingAdmin(CitedAdmin):
    list_display = ["aspect", "value", "case", "confidence", "lines"]
    list_filter = ["case", "aspect", "confidence"]
    search_fields = [*CitedAdmin.search_fields, "value", "description"]


@admin.register(Conclusion)
class ConclusionAdmin(CitedAdmin):
    list_display = ["row", "value", "case", "confidence"]
    list_filter = ["case", "row", "confidence"]
    search_fields = [*CitedAdmin.search_fields, "value"]
