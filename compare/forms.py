from dataclasses import dataclass
from functools import cached_property

from django import forms
from django.db.models import Q

from cases.models import CaseStudy
from checklist.models import Assessment
from engine.ranking import EQUAL, parse_weights

PICKER_SIZE = 25  # matches listed besides the chosen ones; a search narrows the rest
# The most subjects (cases and assessments together) one comparison takes: each is scored and
# charted, so 999 of them took 7-23 s. Beyond it the rest are left out with a message.
MAX_SUBJECTS = 25
SEARCH_MAX_LENGTH = 100  # characters of the assessment search `q`


# An assessment id as the address gives it: a whole number in the id column's range. A form
# field rather than str.isdigit(), which accepts "²", and int(), which refuses 4,301 digits.
ASSESSMENT_ID = forms.IntegerField(min_value=1, max_value=2**63 - 1)


def assessment_id(value: str) -> int | None:
    """The id `value` names, or None when it names none."""
    if len(value) > 30:  # no id is this long; do not even parse it
        return None
    try:
        return ASSESSMENT_ID.clean(value)
    except forms.ValidationError:
        return None


def _shortened(value: str) -> str:
    return value if len(value) <= 30 else f"{value[:20]}… ({len(value)} characters)"


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
    q = forms.CharField(label="Find assessments", required=False)  # SEARCH_MAX_LENGTH, cut
    assessment = forms.ModelMultipleChoiceField(
        label="Assessments you may see",
        queryset=Assessment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, data=None, *, user, **kwargs):
        cases = list(CaseStudy.objects.values_list("slug", "short_title"))
        self.dropped: list[str] = []  # what the address asked for that cannot be compared
        self.over_limit = False  # more than MAX_SUBJECTS were asked for
        self.search_shortened = False  # `q` was cut to SEARCH_MAX_LENGTH
        if data is not None:
            data = self._comparable_only(data, user, {slug for slug, _ in cases})
        super().__init__(data, **kwargs)
        self.fields["case"].choices = cases
        # Validation checks the chosen ids against everything the user may see (one query);
        # the page lists only `picker`, never all of them.
        self.fields["assessment"].queryset = Assessment.objects.for_user(user)

    def _comparable_only(self, data, user, slugs):
        """The query without unknown cases, assessments the user may not see, repeats and
        anything beyond MAX_SUBJECTS, each noted in `dropped`, so that one stale or mistyped
        id does not void the whole comparison."""
        data = data.copy()
        if len(data.get("q", "")) > SEARCH_MAX_LENGTH:
            self.search_shortened = True
            data["q"] = data["q"][:SEARCH_MAX_LENGTH]
        cases = list(dict.fromkeys(data.getlist("case")))  # once each, in the order asked
        self.dropped += [f"case “{slug}” (no such case)" for slug in cases if slug not in slugs]
        cases = [slug for slug in cases if slug in slugs]
        asked = list(dict.fromkeys(data.getlist("assessment")))
        ids = {value: assessment_id(value) for value in asked}
        visible = set(
            Assessment.objects.for_user(user)
            .filter(pk__in={pk for pk in ids.values() if pk is not None})
            .values_list("pk", flat=True)
        )
        self.dropped += [
            f"assessment {_shortened(value)} (not one you may see)"
            for value in asked
            if ids[value] not in visible
        ]
        chosen = list(dict.fromkeys(ids[v] for v in asked if ids[v] in visible))
        if len(cases) + len(chosen) > MAX_SUBJECTS:
            self.over_limit = True
            left_out_cases, cases = cases[MAX_SUBJECTS:], cases[:MAX_SUBJECTS]
            room = MAX_SUBJECTS - len(cases)
            left_out_ids, chosen = chosen[room:], chosen[:room]
            self.dropped += [f"case “{slug}” (over the limit)" for slug in left_out_cases]
            self.dropped += [f"assessment {pk} (over the limit)" for pk in left_out_ids]
        data.setlist("case", cases)
        data.setlist("assessment", [str(pk) for pk in chosen])
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
        # `data` holds only valid, visible ids once bound (_comparable_only).
        ids = [int(v) for v in self.data.getlist("assessment")]
        chosen = list(visible.filter(pk__in=ids)) if ids else []
        search = self.data.get("q", "").strip()  # at most SEARCH_MAX_LENGTH once bound
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
