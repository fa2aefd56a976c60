from pathlib import Path

from django import forms

from .importer import COLUMNS

ACCEPTED_SUFFIXES = (".csv", ".xlsx")
FORMAT_HELP = "Columns (header row): " + "; ".join(
    f"{c.name}{' (required)' if c.required else ''}{f' — {c.help}' if c.help else ''}"
    for c in COLUMNS
)


def _file_field(help_text: str) -> forms.FileField:
    """The file input, which also tells the browser's file picker the suffixes accepted."""
    return forms.FileField(
        help_text=help_text,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_SUFFIXES)}),
    )


def _check_suffix(upload):
    if Path(upload.name).suffix.lower() not in ACCEPTED_SUFFIXES:
        raise forms.ValidationError("Upload a .csv or .xlsx file.")
    return upload


class FirmTableForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="What the table is, e.g. 'Census 1994'.")
    citation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The source: who collected it, when, where it is published.",
    )
    sheet = forms.CharField(
        max_length=100, required=False, help_text="Workbook sheet to read; blank: the first."
    )
    provenance_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="How the firms were sampled, what is missing.",
    )
    file = _file_field(FORMAT_HELP)

    def __init__(self, *args, clusters=None, **kwargs):
        super().__init__(*args, **kwargs)
        if clusters is not None:
            self.fields["cluster"] = forms.ModelChoiceField(
                clusters, required=False, help_text="Rows with a blank cluster belong to it."
            )

    def clean_file(self):
        return _check_suffix(self.cleaned_data["file"])


class ReplaceFileForm(forms.Form):
    file = _file_field("The rows are replaced only if the whole file is clean.")

    def clean_file(self):
        return _check_suffix(self.cleaned_data["file"])
