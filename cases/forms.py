from pathlib import Path

from django import forms

from .bundles import FORMATS, sheet_name
from .loading import MAX_FILE_BYTES
from .models import CaseImport, CaseStudy


class BundleUploadForm(forms.Form):
    bundle = forms.FileField(
        help_text="A case bundle: an .xlsx workbook with a sheet per table, a .zip of CSV files "
        "(one per table), or a natural-key .json fixture. Nothing is written until you confirm "
        "the preview."
    )

    def clean_bundle(self):
        upload = self.cleaned_data["bundle"]
        suffix = Path(upload.name).suffix.lower().lstrip(".")
        if suffix not in FORMATS:
            raise forms.ValidationError(
                f"{upload.name}: upload an .xlsx, .zip or .json bundle, not a .{suffix} file."
            )
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"{upload.name} is {upload.size:,} bytes; a bundle may be at most "
                f"{MAX_FILE_BYTES:,}."
            )
        return upload


def _table_choices() -> list[tuple[str, str]]:
    from .loading import library_models

    return [(sheet_name(model), sheet_name(model)) for model in library_models()]


class RowHistoryForm(forms.Form):
    """Which row: a bundle table and the row's key (a case's or source's slug for those two
    tables), optionally within one case. A form, so a stray byte in the address is a 'not
    valid' message, never a database error."""

    case = forms.SlugField(required=False, max_length=100)
    table = forms.ChoiceField(choices=_table_choices)
    key = forms.CharField(max_length=200, help_text="The row's key, as its bundle cell holds it.")

    def clean_case(self) -> str:
        """Blank is any case. Else a case of the library, or one an import gave (a case an
        undo removed keeps its history)."""
        slug = self.cleaned_data["case"]
        if slug and not (
            CaseStudy.objects.filter(slug=slug).exists()
            or CaseImport.objects.touching(slug).exists()
        ):
            raise forms.ValidationError(
                f"No case '{slug}' in the library or in any import; choose a case, or leave "
                "it blank for any case."
            )
        return slug
