from django import forms

from cases.models import CaseStudy
from checklist.models import Assessment


class CompareForm(forms.Form):
    case = forms.MultipleChoiceField(
        label="Cases", required=False, widget=forms.CheckboxSelectMultiple
    )
    assessment = forms.ModelMultipleChoiceField(
        label="Assessments you may see",
        queryset=Assessment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = list(CaseStudy.objects.values_list("slug", "short_title"))
        self.fields["assessment"].queryset = Assessment.objects.for_user(user)

    def clean(self):
        data = super().clean()
        if not data.get("case") and not data.get("assessment"):
            raise forms.ValidationError("Choose at least one case or assessment to compare.")
        return data
