"""Admin for assessments: admins find any assessment, read all its answers and scores, and
change who owns it and who may read it.

The answers are read-only here on purpose. The site saves them through
`checklist.services.save_step`, which marks the step answered, validates the whole assessment
and rescores a submitted one (a new ScoreRecord); a plain admin save would do none of that, so
the scorecard and its history would silently disagree with the answers. To change answers,
open the assessment on the site ("View on site"): an admin may edit every assessment there.
"""

from django.contrib import admin

from .forms import ROW_BOOKKEEPING, STEP_FORMS, STEP_TITLES
from .models import (
    STEPS,
    Assessment,
    AssessmentGroup,
    AssessmentInstitution,
    AssessmentTie,
    ScoreRecord,
)

SHARING_FIELDS = ("owner", "shared_with", "share_with_researchers")
RECORD_FIELDS = ("status", "steps_done", "revision", "previous", "created", "updated")


def _answer_fieldsets() -> list[tuple[str, dict]]:
    """One fieldset per step, with the fields that step's form asks (so the admin follows the
    form), then any answer field no step form asks."""
    placed = {"id", *SHARING_FIELDS, *RECORD_FIELDS}
    fieldsets = []
    for step in STEPS:
        form_class = STEP_FORMS[step][0]
        fields = [name for name in form_class._meta.fields if name not in placed]
        placed.update(fields)
        if fields:
            fieldsets.append((f"Answers: {STEP_TITLES[step]}", {"fields": fields}))
    rest = [f.name for f in Assessment._meta.concrete_fields if f.name not in placed]
    if rest:
        fieldsets.append(("Other answers", {"fields": rest}))
    return fieldsets


ANSWER_FIELDSETS = _answer_fieldsets()
ANSWER_FIELDS = [name for _, options in ANSWER_FIELDSETS for name in options["fields"]]


class ReadOnlyInline(admin.TabularInline):
    """A list answered on the site, shown as it stands (see the module docstring for why)."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _row_fields(step: str) -> list[str]:
    """The columns a step's list asks, in the form's order: the admin shows every answer."""
    formset_class = STEP_FORMS[step][1]
    return [name for name in formset_class.form._meta.fields if name not in ROW_BOOKKEEPING]


class GroupInline(ReadOnlyInline):
    model = AssessmentGroup
    fields = _row_fields("firms")
    verbose_name_plural = "Firm groups"


class TieInline(ReadOnlyInline):
    model = AssessmentTie
    fields = _row_fields("linkages")
    verbose_name_plural = "Linkages"


class InstitutionInline(ReadOnlyInline):
    model = AssessmentInstitution
    fields = _row_fields("institutions")
    verbose_name_plural = "Institutions"


class ScoreRecordInline(ReadOnlyInline):
    model = ScoreRecord
    fields = ["created", "engine_version", "overall"]
    readonly_fields = fields
    verbose_name_plural = "Recorded scorecards"


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "evidence_year",
        "country",
        "sector",
        "owner",
        "status",
        "share_with_researchers",
        "updated",
    ]
    list_select_related = ["owner"]
    list_filter = ["status", "share_with_researchers", "kind", "country"]
    search_fields = ["name", "country", "region", "sector", "owner__username"]
    date_hierarchy = "updated"
    list_per_page = 50
    autocomplete_fields = ["owner", "shared_with"]
    readonly_fields = [*RECORD_FIELDS, *ANSWER_FIELDS]
    fieldsets = [
        ("Owner and sharing", {"fields": list(SHARING_FIELDS)}),
        ("Record", {"fields": list(RECORD_FIELDS)}),
        *ANSWER_FIELDSETS,
    ]
    inlines = [GroupInline, TieInline, InstitutionInline, ScoreRecordInline]

    def save_model(self, request, obj, form, change):
        # Only the owner and the researchers' share are edited here (shared_with is saved
        # with the related objects): writing every column would undo a step saved on the
        # site while this page was open.
        if change:
            obj.save(update_fields=["owner", "share_with_researchers"])
        else:
            super().save_model(request, obj, form, change)

    def has_add_permission(self, request):
        # Assessments start on the site (create_assessment), which sets up the first step;
        # an admin-made one would skip that.
        return False
