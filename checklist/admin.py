"""Admin for assessments: admins find any assessment, read all its answers and scores, and
change who owns it and who may read it.

The answers are read-only here on purpose. The site saves them through
`checklist.services.save_step`, which marks the step answered, validates the whole assessment
and rescores a submitted one (a new ScoreRecord); a plain admin save would do none of that, so
the scorecard and its history would silently disagree with the answers. To change answers,
open the assessment on the site ("View on site"): an admin may edit every assessment there.
"""

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse

from .forms import ROW_BOOKKEEPING, STEP_FORMS, STEP_TITLES
from .models import (
    STEPS,
    ApiToken,
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
    inlines = [GroupInline, InstitutionInline, TieInline, ScoreRecordInline]  # the steps' order

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


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user"]
        help_texts = {
            "user": "The key acts with this user's permissions, exactly as their pages do. It "
            "is shown once, on the next page; only its digest is kept."
        }

    def clean_user(self):
        user = self.cleaned_data["user"]
        if not user.is_active:  # as `manage.py api_token` refuses it
            raise forms.ValidationError(f"'{user}' is not active: a key would not work.")
        return user


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Admins see who holds API keys and revoke them (delete) without a shell, and issue one.
    A key is shown once, on the page that answers its creation (not stored, not put in a
    message or the session); afterwards only its digest's first characters tell keys apart."""

    form = ApiTokenForm
    list_display = ["user", "fingerprint", "created", "user_active"]
    list_select_related = ["user"]
    list_filter = ["user__is_active"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["user", "fingerprint", "created"]
    fields = ["user", "fingerprint", "created"]

    @admin.display(description="key fingerprint")
    def fingerprint(self, token):
        return token.fingerprint

    @admin.display(boolean=True, description="user active")
    def user_active(self, token):
        return token.user.is_active

    def get_fields(self, request, obj=None):
        return ["user"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False  # a key is issued or revoked, never edited

    def save_model(self, request, obj, form, change):
        key = ApiToken.new_key()
        obj.digest = ApiToken.digest_of(key)
        super().save_model(request, obj, form, change)
        request.api_key_issued = key  # for response_add only; this request ends with it

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "token": obj,
            "key": request.api_key_issued,
            "title": f"API key for {obj.user}",
        }
        # Admin views are never cached (no-store), so the key stays in this page alone.
        return TemplateResponse(request, "admin/checklist/apitoken/issued.html", context)
