from pathlib import Path

from django import forms

from .bundles import FORMATS
from .loading import MAX_FILE_BYTES


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
