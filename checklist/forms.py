"""The assessment's steps as forms. Help texts come from the paper, so each question is clear."""

import datetime
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from . import criteria
from .models import (
    DIRECT_QUESTIONS,
    Assessment,
    AssessmentGroup,
    AssessmentInstitution,
    AssessmentTie,
)

# "%%": Django %-formats validator messages with the limit's parameters.
SHARE_RANGE = "Give a share between 0 and 100 (%%)."
PERCENT = [
    MinValueValidator(Decimal(0), message=SHARE_RANGE),
    MaxValueValidator(Decimal(100), message=SHARE_RANGE),
]
COMPETITION = [
    ("price", "Price"),
    ("quality", "Quality"),
    ("fashion", "Fashion and design"),
    ("delivery", "Reliable, rapid delivery"),
]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = [
            "name",
            "country",
            "region",
            "sector",
            "kind",
            "evidence_year",
            "share_with_researchers",
        ]
        help_texts = {
            "name": "The cluster or network you work with, e.g. 'Sinos Valley shoe cluster'.",
            "kind": "A cluster is geographically concentrated and sectorally specialised; a "
            "network links geographically dispersed producers and other agents (paper, "
            "lines 22-25).",
            "evidence_year": "The year your answers describe. The paper stresses 'the need for a "
            "dynamic and continuous analysis' (line 61): assess again later to see change.",
            "share_with_researchers": "Researchers may read it (they cannot change it).",
        }

    def clean_evidence_year(self):
        year = self.cleaned_data["evidence_year"]
        this_year = datetime.date.today().year
        if not 1900 <= year <= this_year + 1:
            raise forms.ValidationError(f"Give a year between 1900 and {this_year + 1}.")
        return year


class FirmsForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["producer_count", "employment", "large_firms"]
        labels = {
            "producer_count": "Producing firms in the cluster",
            "employment": "People employed in the cluster",
            "large_firms": "Large firms present (one per line)",
        }
        help_texts = {
            "producer_count": "Leave empty if not known. Sinos Valley had some 500 shoe producers "
            "among 1,800 firms (lines 171, 204-205).",
            "large_firms": "'large firms are a significant element in most Southern industrial "
            "clusters' (lines 2427-2429).",
        }


class GroupForm(forms.ModelForm):
    share_of_firms = forms.DecimalField(
        label="Share of firms (%)",
        required=False,
        validators=PERCENT,
        max_digits=5,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": "any"}),
    )

    class Meta:
        model = AssessmentGroup
        fields = ["role", "name", "count", "share_of_firms", "employment"]


class BaseGroupFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        total = sum(
            (form.cleaned_data.get("share_of_firms") or 0)
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        )
        if total > 100:
            raise forms.ValidationError(
                f"The groups' shares of firms add up to {total}%: together they cannot be "
                "above 100%."
            )


GroupFormSet = forms.inlineformset_factory(
    Assessment, AssessmentGroup, form=GroupForm, formset=BaseGroupFormSet, extra=3
)
TieFormSet = forms.inlineformset_factory(
    Assessment,
    AssessmentTie,
    fields=["direction", "nature", "from_role", "to_role", "strength", "trend", "description"],
    extra=3,
)
InstitutionFormSet = forms.inlineformset_factory(
    Assessment,
    AssessmentInstitution,
    fields=["name", "kind", "ownership", "level", "status", "reach", "sector_specific", "services"],
    labels={"sector_specific": "Serves this sector specifically?"},
    help_texts={
        "sector_specific": "Intervention should be 'sector specific' (lines 2658-2660): a "
        "generalist SME scheme does not count for 2a. Choose “Don't know” if you are not sure."
    },
    extra=3,
)


def _asked_on(step: str) -> dict[str, str]:
    """The direct questions a step asks: field name -> indicator code."""
    return {field: code for code, (where, field) in DIRECT_QUESTIONS.items() if where == step}


class DirectQuestionsForm(forms.ModelForm):
    """Yes / no / don't know for the indicators a list alone cannot settle (an empty list may
    mean none, or not known). Each field is labelled with its indicator's question."""

    codes: dict[str, str] = {}  # field name -> indicator code

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, code in self.codes.items():
            indicator = criteria.indicator(code)
            field = self.fields[name]
            field.label = f"{indicator.question} ({code})"
            field.help_text = (
                "Answer even if your rows above show it: when no row does, this answer "
                f"decides. {indicator.rationale}"
            )
            field.widget = forms.RadioSelect(choices=field.choices)


class LinkageQuestionsForm(DirectQuestionsForm):
    codes = _asked_on("linkages")

    class Meta:
        model = Assessment
        fields = list(_asked_on("linkages"))


class InstitutionQuestionsForm(DirectQuestionsForm):
    codes = _asked_on("institutions")

    class Meta:
        model = Assessment
        fields = list(_asked_on("institutions"))


class MarketsForm(forms.ModelForm):
    export_share = forms.DecimalField(
        label="Share of output exported (%)",
        required=False,
        validators=PERCENT,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": "any"}),
        help_text="Sinos Valley exported about 70% (line 176); Mexico's shoe industry 7% (603).",
    )
    competes_on = forms.MultipleChoiceField(
        label="Firms compete mainly on",
        choices=COMPETITION,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Point 3 asks for competitiveness on 'quality consciousness, fashion "
        "sensitivity, reliability, rapid delivery and not price alone' (lines 2662-2666). "
        "Leave all unticked if not known.",
    )

    class Meta:
        model = Assessment
        fields = ["export_share", "destinations", "competes_on", "foreign_buyers", "key_buyers"]
        labels = {"foreign_buyers": "Do firms sell to demanding foreign buyers?"}
        widgets = {"foreign_buyers": forms.RadioSelect}
        help_texts = {
            "key_buyers": "Named buyers, agents or retailers, one per line. Each counts for 4b "
            "(buyers and agents reaching the cluster), with the groups of firms.",
        }


class PolicyForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = [
            "state_created",
            "trade_regime",
            "sme_incentives",
            "contract_rules",
            "intervention_style",
            "policy_notes",
        ]
        widgets = {"state_created": forms.RadioSelect, "contract_rules": forms.RadioSelect}
        labels = {
            "state_created": "Was the cluster started by an administrative decision?",
            "sme_incentives": "Size-based incentives for SMEs",
            "contract_rules": "Are there rules for fair contracts between large firms and SMEs?",
            "intervention_style": "How are interventions run?",
        }
        help_texts = {
            "state_created": "Clusters set up 'by administrative fiat … rarely succeed' "
            "(lines 2652-2654).",
            "trade_regime": "Liberalisation pushed firms towards quality (lines 2404-2411).",
            "sme_incentives": "In Tiruppur firms split to stay 'small' and keep tax and credit "
            "benefits (lines 1217-1223).",
            "contract_rules": "Korea set minimum contract duration and fair payment terms "
            "(lines 2068-2075).",
            "intervention_style": "'Intervention appears to be far more effective in cases "
            "where policy agents have acted as facilitators and enablers' (2692-2694).",
        }


STEP_FORMS = {
    "profile": (ProfileForm, None),
    "firms": (FirmsForm, GroupFormSet),
    "linkages": (LinkageQuestionsForm, TieFormSet),
    "institutions": (InstitutionQuestionsForm, InstitutionFormSet),
    "markets": (MarketsForm, None),
    "policy": (PolicyForm, None),
}
# What each step is for and which checklist indicators its answers feed (see /method/).
STEP_INTROS = {
    "profile": "Which cluster or network this is, and the year your answers describe.",
    "firms": "The groups of firms in the cluster. Feeds 1a (producers), 1b (local suppliers, "
    "stage units, machinery makers, services), 4b (export agents, buyers) and 6a (large "
    "firms). Shares of firms are of all the cluster's firms and cannot add up to more than "
    "100%.",
    "linkages": "Ties between groups. Direction: backward = with suppliers and subcontractors, "
    "forward = with buyers and agents, horizontal = among producers, institutional = with "
    "institutions. From → to: for subcontracting and job-work, from the firm that puts the "
    "work out to the firm that does it; for everything else, from the provider (of goods, "
    "help, information, credit) to the receiver. Strength as you judge it: weak, moderate or "
    "strong. Feeds 1b, 2b, 3d, 4c, 6b, 6c, 6d and 8c; the questions under the rows settle 2b, "
    "4c and 6b when no row does.",
    "institutions": "Every support institution: associations, fairs, training, technology "
    "and testing centres, credit unions, export promotion, government bodies. Feeds points 1, "
    "2, 4, 5 and 8; whether it reaches small firms feeds 5f, and whether it serves this sector "
    "specifically feeds 2a. The questions under the rows settle 5e and 6d when no row does.",
    "markets": "Feeds point 3: how much is exported, what firms compete on, whether they sell "
    "to demanding foreign buyers.",
    "policy": "Feeds 1d and points 7 and 8. Leave a question empty if you do not know: it "
    "stays unknown rather than counting as no.",
}
STEP_TITLES = {
    "profile": "Profile",
    "firms": "Firms",
    "linkages": "Linkages",
    "institutions": "Institutions",
    "markets": "Markets",
    "policy": "Policy environment",
}


def _shown(field, value) -> str | int | float:
    """An answer as the form shows it: the choice's label, not its code; blank when unanswered."""
    choices = dict(getattr(field, "choices", ()) or ())
    if isinstance(value, list | tuple):
        return ", ".join(str(choices.get(v, v)) for v in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | Decimal) and not choices:
        return float(value) if isinstance(value, Decimal) else value  # numbers stay numbers
    if value in (None, ""):
        blank = str(choices.get("", ""))  # "Don't know" on yes/no questions; "------" on selects
        return "" if blank.startswith("---") else blank
    return str(choices.get(value, choices.get(str(value), value)))


def answer_sheets(assessment) -> dict:
    """The answers worded as the form asks them, step by step: the questions' labels and the
    chosen options' labels. `lists` holds the rows of each step's list (groups, ties, bodies)."""
    answers, lists = [], {}
    for step, (form_class, formset_class) in STEP_FORMS.items():
        if form_class is not None:
            form = form_class(instance=assessment)
            for bound in form:
                answers.append(
                    {
                        "step": STEP_TITLES[step],
                        "question": str(bound.label),
                        "answer": _shown(bound.field, bound.value()),
                    }
                )
        if formset_class is not None:
            formset = formset_class(instance=assessment, prefix=step)
            lists[LIST_TITLES[step]] = [
                {
                    str(row[name].label): _shown(row.fields[name], row[name].value())
                    for name in row.fields
                    if name not in {"id", "DELETE", "assessment"}
                }
                for row in formset.initial_forms
            ]
    return {"answers": answers, "lists": lists}


LIST_TITLES = {"firms": "Groups of firms", "linkages": "Linkages", "institutions": "Institutions"}
