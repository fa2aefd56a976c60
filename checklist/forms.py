"""The assessment's steps as forms. Help texts come from the paper, so each question is clear."""

import datetime
import hashlib
import re
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from engine import criteria

from .help import link_help_texts, linked_help_text
from .models import (
    APPROX_FIELDS,
    ASKED_INVENTORIES,
    DIRECT_QUESTIONS,
    STEPS,
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


def ask_inventory(form: forms.ModelForm, kind: criteria.Inventory, rows: str) -> None:
    """Label, help and radio buttons of a kind's "listed / none / don't know" question, from
    its record; `rows` says where the step's list is ("above", "below")."""
    field = form.fields[kind.field]
    field.label = kind.question
    counted = ", ".join(criteria.counted_by(kind.field))
    field.help_text = linked_help_text(
        f"Counts for {counted}. “Listed below”: the rows {rows} are {kind.rows}. "
        "“None”: there are none, so they count as absent. “Don't know” leaves "
        "them unknown (not absent) unless a row shows one."
    )
    field.widget = forms.RadioSelect(choices=field.choices)


FIRMS_INVENTORIES = [kind for kind in criteria.INVENTORIES if kind.step == "firms"]


class FirmsForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in FIRMS_INVENTORIES:  # asked before the list, which follows the form
            ask_inventory(self, kind, "below")

    class Meta:
        model = Assessment
        fields = [
            "producer_count",
            "producer_count_approx",
            "employment",
            "employment_approx",
            "large_firms",
            *(kind.field for kind in FIRMS_INVENTORIES),
        ]
        labels = {
            "producer_count": "Producing firms in the cluster",
            "producer_count_approx": "The number of producing firms is approximate",
            "employment": "People employed in the cluster",
            "employment_approx": "The employment figure is approximate",
            "large_firms": "Large firms present (one per line)",
        }
        help_texts = {
            "producer_count": "Leave empty if not known, or if you count the producers in a "
            "producer group below: then that count is used. Sinos Valley had some 500 shoe "
            "producers among 1,800 firms (lines 171, 204-205).",
            "large_firms": "'large firms are a significant element in most Southern industrial "
            "clusters' (lines 2427-2429). Name them here or list them as a group below, not "
            "both: these names are used only when no large-firm group is listed.",
        }


# The most rows one list (groups, linkages, institutions) holds. The five cases in the paper need
# at most a dozen; the ceiling keeps a forged TOTAL_FORMS=5000 from building thousands of forms.
LIST_MAX_ROWS = 50
TOO_MANY_ROWS = (
    f"A list holds at most {LIST_MAX_ROWS} rows; nothing on this step was saved. Combine rows "
    "(a row can stand for several firms or bodies) or delete some."
)
ROW_GONE = (
    "This row was deleted since this page was opened (in another tab, or by someone else), so "
    "its answers were not saved. Add it again in an empty row if you still need it."
)


class BaseRowsFormSet(forms.BaseInlineFormSet):
    """A step's list: at most LIST_MAX_ROWS rows, and a row that no longer exists is told so
    in words (Django's "Select a valid choice" would sit on a hidden field no one sees)."""

    default_error_messages = {
        **forms.BaseInlineFormSet.default_error_messages,
        "too_many_forms": TOO_MANY_ROWS,
    }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "id" in form.fields:
            form.fields["id"].error_messages["invalid_choice"] = ROW_GONE


def rows_formset(model, **options):
    return forms.inlineformset_factory(
        Assessment,
        model,
        formset=options.pop("formset", BaseRowsFormSet),
        extra=3,
        max_num=LIST_MAX_ROWS,
        absolute_max=LIST_MAX_ROWS,  # rows beyond it are not even built
        validate_max=True,
        **options,
    )


class RevisionForm(forms.Form):
    """The version of the answers a step page was shown with (Assessment.revision), and the
    fingerprint of that step's stored answers then (see `step_fingerprint`)."""

    revision = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)
    step_answers = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class WorkbookUploadForm(forms.Form):
    # An assessment's workbook is tens of kilobytes; the cap bounds what is unpacked and read.
    MAX_BYTES = 2 * 1024 * 1024

    workbook = forms.FileField(label="Workbook (.xlsx)")

    def clean_workbook(self) -> bytes:
        upload = self.cleaned_data["workbook"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(
                f"This file is {upload.size / 1024 / 1024:.1f} MB; an assessment workbook is "
                f"far smaller (at most {self.MAX_BYTES // 1024 // 1024} MB is read)."
            )
        return upload.read()


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
        fields = [
            "role",
            "name",
            "count",
            "count_approx",
            "share_of_firms",
            "share_approx",
            "employment",
            "employment_approx",
        ]


class BaseGroupFormSet(BaseRowsFormSet):
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


GroupFormSet = rows_formset(AssessmentGroup, form=GroupForm, formset=BaseGroupFormSet)


class TieForm(forms.ModelForm):
    """A tie; when one end is "an institution", it may name which of the assessment's listed
    institutions (only those are offered, so another assessment's cannot be named)."""

    class Meta:
        model = AssessmentTie
        fields = [
            "direction",
            "nature",
            "from_role",
            "to_role",
            "institution",
            "strength",
            "trend",
            "description",
        ]
        labels = {"institution": "Which institution"}

    def clean(self):
        data = super().clean()
        if data.get("institution") and data.get("from_role") and data.get("to_role"):
            self.add_error(
                "institution",
                "Neither end of this tie is an institution: choose “an institution” for the "
                "end it connects, or leave this empty.",
            )
        return data


class BaseTieFormSet(BaseRowsFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        listed = AssessmentInstitution.objects.none()
        if self.instance is not None and self.instance.pk is not None:
            listed = AssessmentInstitution.objects.filter(assessment=self.instance)
        form.fields["institution"].queryset = listed


TieFormSet = rows_formset(AssessmentTie, form=TieForm, formset=BaseTieFormSet)
InstitutionFormSet = rows_formset(
    AssessmentInstitution,
    fields=["name", "kind", "ownership", "level", "status", "reach", "sector_specific", "services"],
    labels={"sector_specific": "Serves this sector specifically?"},
    help_texts={
        "sector_specific": "Intervention should be 'sector specific' (lines 2658-2660): a "
        "generalist SME scheme does not count for 2a, and a general chamber or association "
        "serving every sector counts half for 5c. Choose “Don't know” if you are not sure.",
        "reach": "How many of the cluster's small firms use it. A body counts by its reach: "
        "one that reaches few small firms earns less than one that reaches many (1c, 2a, 4a, "
        "4d, 5a-5e, 8c; producer groups and consortia count by being there).",
        "kind": "A self-help institution is a credit union or other mutual finance its "
        "members run; a producers' association is a trade or business association, not a "
        "self-help institution.",
    },
)


def _asked_on(step: str) -> dict[str, str]:
    """The direct questions a step asks: field name -> indicator code."""
    return {field: code for code, (where, field) in DIRECT_QUESTIONS.items() if where == step}


def _inventories_on(step: str) -> list[criteria.Inventory]:
    """The kinds of body or tie whose "listed / none / don't know" a step asks."""
    return [kind for kind in ASKED_INVENTORIES if kind.step == step]


def _also_the_kind(code: str) -> str:
    """What a direct question's answer also says, where it stands for a kind's answer."""
    kinds = [kind for kind in criteria.INVENTORIES if kind.asked_by == code]
    return "".join(
        f" It is asked once: “No” also counts {kind.label.split(' (')[0].lower()} as absent "
        f"for {', '.join(criteria.counted_by(kind.field))}."
        for kind in kinds
    )


class DirectQuestionsForm(forms.ModelForm):
    """Under a step's list: for each kind of body or tie the indicators count, whether there
    are any ("listed below" / "none" / "don't know": only "none" counts as absent), and yes /
    no / don't know for the indicators a list alone cannot settle. Labels and help come from
    the records (criteria.INVENTORIES, criteria.INDICATORS)."""

    codes: dict[str, str] = {}  # field name -> indicator code
    step = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in _inventories_on(self.step):
            ask_inventory(self, kind, "above")
        for name, code in self.codes.items():
            indicator = criteria.indicator(code)
            field = self.fields[name]
            field.label = f"{indicator.question} ({code})"
            field.help_text = linked_help_text(
                "Answer even if your rows above show it: when no row does, this answer "
                f"decides.{_also_the_kind(code)} {indicator.rationale}"
            )
            field.widget = forms.RadioSelect(choices=field.choices)


class LinkageQuestionsForm(DirectQuestionsForm):
    codes = _asked_on("linkages")
    step = "linkages"

    class Meta:
        model = Assessment
        fields = [k.field for k in _inventories_on("linkages")] + list(_asked_on("linkages"))


class InstitutionQuestionsForm(DirectQuestionsForm):
    codes = _asked_on("institutions")
    step = "institutions"

    class Meta:
        model = Assessment
        fields = [k.field for k in _inventories_on("institutions")] + list(
            _asked_on("institutions")
        )


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
        fields = [
            "export_share",
            "export_share_approx",
            "destinations",
            "competes_on",
            "foreign_buyers",
            "key_buyers",
        ]
        labels = {
            "foreign_buyers": "Do firms sell to demanding foreign buyers?",
            "export_share_approx": "The export share is approximate",
        }
        widgets = {"foreign_buyers": forms.RadioSelect}
        help_texts = {
            "key_buyers": "Named buyers, agents or retailers, one per line. They count for 4b "
            "(buyers and agents reaching the cluster) only when the Firms step lists no group "
            "of buyers, agents or TNCs: one fact, one place.",
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


def in_step_order(by_step: dict) -> dict:
    """A table keyed by step, in the form's order (models.STEPS, the one place it is set):
    pages, sheets and the API schema walk the steps in this order."""
    return {step: by_step[step] for step in STEPS if step in by_step}


STEP_FORMS = {
    "profile": (ProfileForm, None),
    "firms": (FirmsForm, GroupFormSet),
    "institutions": (InstitutionQuestionsForm, InstitutionFormSet),
    "linkages": (LinkageQuestionsForm, TieFormSet),
    "markets": (MarketsForm, None),
    "policy": (PolicyForm, None),
}
STEP_FORMS = in_step_order(STEP_FORMS)
# Every indicator code in the step forms' help links to /method/ (checklist/help.py).
link_help_texts(STEP_FORMS)
# What each step is for and which checklist indicators its answers feed (see /method/).
STEP_INTROS = {
    "profile": "Which cluster or network this is, and the year your answers describe.",
    "firms": "The groups of firms in the cluster. Feeds 1a (producers), 1b (local suppliers, "
    "stage units, job-workers and subcontractors, homeworkers, machinery makers, services), "
    "4b (export agents and foreign buyers; domestic wholesalers and traders have their own "
    "role and do not count there) and 6a (large firms). Shares of firms are of all the "
    "cluster's firms and cannot add up to more than 100%.",
    "institutions": "Every support institution: associations, fairs, training, technology "
    "and testing centres, credit unions, export promotion, government bodies. Feeds points 1, "
    "2, 4, 5 and 8; whether it reaches small firms feeds 5f, and whether it serves this sector "
    "specifically feeds 2a and 5c. Under the rows, say for each kind of body whether there are "
    "any (listed below / none / don't know: only “none” counts as absent); the yes / no "
    "questions settle 5e and 6d when no row does.",
    "linkages": "Ties between groups. Direction: backward = with suppliers and subcontractors, "
    "forward = with buyers and agents, horizontal = among producers, institutional = with "
    "institutions. From → to: for subcontracting and job-work, from the firm that puts the "
    "work out to the firm that does it; for everything else, from the provider (of goods, "
    "help, information, credit) to the receiver. Strength as you judge it: weak, moderate or "
    "strong. Feeds 1b, 2b, 3d, 4c, 6b, 6c, 6d and 8c. Under the rows, say for each kind of "
    "tie whether there are any (listed below / none / don't know: only “none” counts as "
    "absent); the yes / no questions settle 2b, 4c and 6b when no row does.",
    "markets": "Feeds point 3: 3a (how much is exported), 3b (what firms compete on) and 3c "
    "(whether they sell to demanding foreign buyers); 3d comes from the forward ties on the "
    "linkages step. The key buyers stand for a group of buyers (4b) only when the firms "
    "step lists no group of buyers, agents or wholesalers; list export buyers there as a "
    "group.",
    "policy": "Feeds 1d (grown or created by the state), 7a, 7b and 7c (a level playing "
    "field) and 8b (government as facilitator). Leave a question empty if you do not know: "
    "it stays unknown rather than counting as no.",
}
STEP_TITLES = {
    "profile": "Profile",
    "firms": "Firms",
    "institutions": "Institutions",
    "linkages": "Linkages",
    "markets": "Markets",
    "policy": "Policy environment",
}
STEP_TITLES = in_step_order(STEP_TITLES)


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


APPROXIMATE_FLAGS = set(APPROX_FIELDS.values())


def _approximate(form, name, field, value):
    """A figure as shown, "about N" when the officer marked it approximate."""
    shown = _shown(field, value)
    flag = APPROX_FIELDS.get(name)
    if flag in form.fields and form[flag].value() and shown not in ("", None):
        return f"about {shown:g}" if isinstance(shown, float) else f"about {shown}"
    return shown


ROW_BOOKKEEPING = frozenset({"id", "DELETE", "assessment"})  # a list row's fields, not answers


def answer_sheets(assessment) -> dict:
    """The answers worded as the form asks them, step by step: the questions' labels and the
    chosen options' labels. `lists` holds the rows of each step's list (groups, ties, bodies)."""
    answers, lists, columns = [], {}, {}
    for step, (form_class, formset_class) in STEP_FORMS.items():
        if form_class is not None:
            form = form_class(instance=assessment)
            for bound in form:
                if bound.name in APPROXIMATE_FLAGS:
                    continue  # folded into its figure: "about 5000"
                answers.append(
                    {
                        "step": STEP_TITLES[step],
                        "question": str(bound.label),
                        "answer": _approximate(form, bound.name, bound.field, bound.value()),
                    }
                )
        if formset_class is not None:
            formset = formset_class(instance=assessment, prefix=step)
            row_form = formset.form()
            columns[LIST_TITLES[step]] = [
                str(row_form[name].label)
                for name in row_form.fields
                if name not in ROW_BOOKKEEPING | APPROXIMATE_FLAGS
            ]
            lists[LIST_TITLES[step]] = [
                {
                    str(row[name].label): _approximate(
                        row, name, row.fields[name], row[name].value()
                    )
                    for name in row.fields
                    if name not in ROW_BOOKKEEPING | APPROXIMATE_FLAGS
                }
                for row in formset.initial_forms
            ]
    return {"answers": answers, "lists": lists, "columns": columns}


LIST_TITLES = in_step_order(
    {"firms": "Groups of firms", "institutions": "Institutions", "linkages": "Linkages"}
)


# Optimistic concurrency: what a refused (stale) save shows ---------------------------------------


def _words(field, value) -> str:
    """An answer as text, worded as the form shows it (40, not 40.0 or 40.00)."""
    shown = _shown(field, value)
    return f"{shown:g}" if isinstance(shown, float) else str(shown)


def _row_words(row) -> str:
    """One list row as "Label: answer; ..." (unanswered questions left out)."""
    parts = []
    for name in row.fields:
        if name in ROW_BOOKKEEPING:
            continue
        words = _words(row.fields[name], row[name].value())
        if words:
            parts.append(f"{row[name].label}: {words}")
    return "; ".join(parts)


def _row_pk(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def conflict_view(*, form, stored_form, formset=None, stored_formset=None) -> dict:
    """Both versions of a step side by side: what the stale page submitted (`form`, `formset`,
    bound) and what is stored now (`stored_form`, `stored_formset`, unbound), worded as the
    form asks. List rows are paired by their id, so a row deleted or added elsewhere shows."""
    answers = []
    if form is not None:
        for yours, stored in zip(form, stored_form, strict=True):
            mine = _words(yours.field, yours.value())
            now = _words(stored.field, stored.value())
            answers.append(
                {"question": str(yours.label), "yours": mine, "stored": now, "differs": mine != now}
            )
    rows, gone = [], []
    if formset is not None:
        stored_rows = {row.instance.pk: _row_words(row) for row in stored_formset.initial_forms}
        paired = set()
        for number, row in enumerate(formset.forms, start=1):
            deleting = bool(row["DELETE"].value()) if "DELETE" in row.fields else False
            if number <= formset.initial_form_count():
                pk = _row_pk(row["id"].value())
                if pk in stored_rows:
                    paired.add(pk)
                    note = "you deleted it" if deleting else ""
                    rows.append(_row(number, _row_words(row), stored_rows[pk], note))
                elif not deleting:
                    # Named by its words, not its number: the offered form puts the rows
                    # still stored first, so this row's number there is not this page's.
                    gone.append(_row_words(row))
                    rows.append(
                        _row(number, _row_words(row), "", "deleted since you opened this page")
                    )
            elif row.has_changed() and not deleting:
                rows.append(_row(number, _row_words(row), "", "a new row of yours"))
        for pk, words in stored_rows.items():
            if pk not in paired:
                rows.append(_row(None, "", words, "added since you opened this page; kept"))
    return {"answers": answers, "rows": rows, "gone": gone}


def step_fingerprint(assessment, step: str) -> str:
    """SHA-256 of one step's stored answers, worded as the form shows them, list rows with
    their ids. The revision moves with a save of any step; this says whether *this* step's
    answers changed, so that saving another step in another tab is not called a conflict."""
    form_class, formset_class = STEP_FORMS[step]
    parts = []
    if form_class is not None:
        form = form_class(instance=assessment, prefix="main")
        parts += [f"{bound.name}={_words(bound.field, bound.value())}" for bound in form]
    if formset_class is not None:
        formset = formset_class(instance=assessment, prefix=step)
        parts += [f"{row.instance.pk}:{_row_words(row)}" for row in formset.initial_forms]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _row(number, yours, stored, note) -> dict:
    return {"number": number, "yours": yours, "stored": stored, "note": note}


def resubmission(data, *, prefix: str | None, stored_ids: set[int], revision: int):
    """The stale page's answers, ready to be saved over the stored ones on purpose: the current
    revision, and rows deleted elsewhere turned into new rows (their old ids would be refused),
    unless this page deleted them too."""
    data = data.copy()
    data["revision"] = str(revision)
    if prefix is None:
        return data
    row_key = re.compile(rf"^{re.escape(prefix)}-([0-9]{{1,4}})-(.+)$")  # rows beyond 9999: junk
    rows: dict[int, dict[str, list[str]]] = {}
    for key in list(data.keys()):
        match = row_key.match(key)
        if match:
            rows.setdefault(int(match[1]), {})[match[2]] = data.getlist(key)
            del data[key]
    try:
        initial = int(data.get(f"{prefix}-INITIAL_FORMS", 0))
    except ValueError:
        initial = 0
    kept, revived, new = [], [], []
    for index in sorted(rows)[:LIST_MAX_ROWS]:
        fields = rows[index]
        if index < initial:
            if _row_pk((fields.get("id") or [None])[0]) in stored_ids:
                kept.append(fields)
            elif not fields.get("DELETE"):
                revived.append({k: v for k, v in fields.items() if k != "id"})
        else:
            new.append(fields)
    ordered = kept + revived + new
    for index, fields in enumerate(ordered):
        for name, values in fields.items():
            data.setlist(f"{prefix}-{index}-{name}", values)
    data[f"{prefix}-INITIAL_FORMS"] = str(len(kept))
    data[f"{prefix}-TOTAL_FORMS"] = str(len(ordered))
    return data
