from dataclasses import dataclass
from functools import cached_property

from django import forms
from django.db.models import Q

from cases.models import CaseStudy
from checklist.models import Assessment

from .ranking import EQUAL, parse_weights

PICKER_SIZE = 25  # matches listed besides the chosen ones; a search narrows the rest


@dataclass(frozen=True)
class Picker:
    """The assessments the form lists: every chosen one, then up to PICKER_SIZE matches."""

    chosen: list[Assessment]
    matches: list[Assessment]
    more: int  # further matches not listed


class CompareForm(forms.Form):
    case = forms.MultipleChoiceField(
        label="Cases", required=False, widget=forms.CheckboxSelectMultiple
    )
    q = forms.CharField(label="Find assessments", required=False)  # the picker uses 100 chars
    assessment = forms.ModelMultipleChoiceField(
        label="Assessments you may see",
        queryset=Assessment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, data=None, *, user, **kwargs):
        cases = list(CaseStudy.objects.values_list("slug", "short_title"))
        self.dropped: list[str] = []  # what the address asked for that cannot be compared
        if data is not None:
            data = self._comparable_only(data, user, {slug for slug, _ in cases})
        super().__init__(data, **kwargs)
        self.fields["case"].choices = cases
        # Validation checks the chosen ids against everything the user may see (one query);
        # the page lists only `picker`, never all of them.
        self.fields["assessment"].queryset = Assessment.objects.for_user(user)

    def _comparable_only(self, data, user, slugs):
        """The query without unknown cases and assessments the user may not see, each noted
        in `dropped`, so that one stale or mistyped id does not void the whole comparison."""
        data = data.copy()
        cases = data.getlist("case")
        self.dropped += [f"case “{slug}” (no such case)" for slug in cases if slug not in slugs]
        data.setlist("case", [slug for slug in cases if slug in slugs])
        asked = data.getlist("assessment")
        ids = [int(v) for v in asked if v.isdigit()]
        visible = set(
            Assessment.objects.for_user(user).filter(pk__in=ids).values_list("pk", flat=True)
        )
        self.dropped += [
            f"assessment {value} (not one you may see)"
            for value in asked
            if not value.isdigit() or int(value) not in visible
        ]
        data.setlist("assessment", [v for v in asked if v.isdigit() and int(v) in visible])
        return data

    def clean(self):
        data = super().clean()
        if not data.get("case") and not data.get("assessment"):
            raise forms.ValidationError("Choose at least one case or assessment to compare.")
        return data

    @cached_property
    def picker(self) -> Picker:
        """Three queries, however many assessments there are: the chosen ones that the user
        may see (a forbidden id is dropped, never shown), a page of matches, their count."""
        visible = self.fields["assessment"].queryset
        ids = [v for v in self.data.getlist("assessment") if v.isdigit()]
        chosen = list(visible.filter(pk__in=ids)) if ids else []
        search = self.data.get("q", "").strip()[:100]
        found = visible.exclude(pk__in=[a.pk for a in chosen])
        if search:
            found = found.filter(
                Q(name__icontains=search)
                | Q(country__icontains=search)
                | Q(sector__icontains=search)
            )
        matches = list(found[:PICKER_SIZE])
        more = found.count() - len(matches) if len(matches) == PICKER_SIZE else 0
        return Picker(chosen, matches, more)


class WeightsField(forms.Field):
    """The eight point weights: `w=1,1,2,...` or eight `w` values; none means equal."""

    widget = forms.MultipleHiddenInput  # reads every `w` in the query

    def to_python(self, value):
        if not value or value == [""]:
            return EQUAL
        try:
            return parse_weights(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class WeightsForm(forms.Form):
    w = WeightsField(label="Point weights", required=False)

    @property
    def weights(self) -> tuple[float, ...]:
        """The weights asked for, or equal weights when they are not valid."""
        return self.cleaned_data["w"] if self.is_valid() else EQUAL
