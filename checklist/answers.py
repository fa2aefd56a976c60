"""An assessment's answers as plain data — "answers by step, rows by list" — and the service
that creates an assessment from them, validated by exactly the forms the pages use.

Shape (documented in validation/README.md; a future `GET /api/assessments/<id>/` returns it):

    {"answers": {"profile": {"name": ..., ...}, "firms": {...}, "linkages": {...},
                 "institutions": {...}, "markets": {...}, "policy": {...}},
     "rows": {"firms": [{"role": ..., "name": ...}, ...], "linkages": [...],
              "institutions": [...]}}

`answers[step]` holds the fields of that step's form (`forms.STEP_FORMS`), `rows[step]` the
rows of its list (the step's formset). A step missing from both is left unanswered, so it stays
*unknown* in the scorecard; a step given with no rows means "none". Other keys at the top
(a source, expectations) are ignored here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction

from .forms import LIST_MAX_ROWS, STEP_FORMS
from .models import STEPS, Assessment
from .services import create_assessment, save_step

FORM_PREFIX = "main"  # the prefix the step pages give the step's form


@dataclass(frozen=True)
class AnswerError:
    step: str
    row: int | None  # 1-based row of the step's list; None for the step's own answers
    field: str | None  # None for an error about the whole step or list
    message: str

    def __str__(self) -> str:
        where = self.step
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", {self.field}"
        return f"{where}: {self.message}"


class AnswersInvalid(Exception):
    """Nothing was written: every error, by step, row and field."""

    def __init__(self, errors: list[AnswerError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def _value(value):
    # The forms read posted strings; None is an empty box. Lists (ticked boxes) and booleans
    # (a checkbox) pass as they are: their widgets accept them.
    return "" if value is None else value


def _step_data(step: str, answers: Mapping, rows: list) -> dict:
    data = {f"{FORM_PREFIX}-{name}": _value(v) for name, v in answers.items()}
    data.update(
        {
            f"{step}-TOTAL_FORMS": str(len(rows)),
            f"{step}-INITIAL_FORMS": "0",
            f"{step}-MIN_NUM_FORMS": "0",
            f"{step}-MAX_NUM_FORMS": str(LIST_MAX_ROWS),
        }
    )
    for index, row in enumerate(rows):
        data.update({f"{step}-{index}-{name}": _value(v) for name, v in row.items()})
    return data


def _unknown_names(step: str, given: Mapping, known: set[str], row: int | None):
    return [
        AnswerError(step, row, name, "not a question of this step")
        for name in given
        if name not in known
    ]


def _shape_errors(data: Mapping) -> list[AnswerError]:
    errors = []
    if not isinstance(data, Mapping):
        return [AnswerError("(file)", None, None, "the answers must be one object")]
    answers, rows = data.get("answers", {}), data.get("rows", {})
    if not isinstance(answers, Mapping) or not isinstance(rows, Mapping):
        return [AnswerError("(file)", None, None, "'answers' and 'rows' must be objects")]
    for step, step_answers in answers.items():
        if not isinstance(step_answers, Mapping):
            errors.append(AnswerError(step, None, None, "answers must be an object of fields"))
    for step in [*answers, *rows]:
        if step not in STEPS:
            errors.append(AnswerError(step, None, None, f"not a step (steps: {', '.join(STEPS)})"))
    if "profile" not in answers:
        errors.append(AnswerError("profile", None, None, "the profile step is required"))
    for step, step_rows in rows.items():
        if step in STEP_FORMS and STEP_FORMS[step][1] is None:
            errors.append(AnswerError(step, None, None, "this step has no list of rows"))
        elif not isinstance(step_rows, list) or not all(isinstance(r, Mapping) for r in step_rows):
            errors.append(AnswerError(step, None, None, "rows must be a list of objects"))
    return errors


def _form_errors(step: str, form, formset, answers: Mapping, rows: list) -> list[AnswerError]:
    errors = []
    if form is not None:
        errors += _unknown_names(step, answers, set(form.fields), None)
        for name, messages in form.errors.items():
            field = None if name == "__all__" else name
            errors += [AnswerError(step, None, field, m) for m in messages]
    elif answers:
        errors.append(AnswerError(step, None, None, "this step asks no questions besides rows"))
    if formset is not None:
        row_fields = set(formset.form.base_fields) - {"id", "DELETE", "assessment"}
        for number, row in enumerate(rows, start=1):
            errors += _unknown_names(step, row, row_fields, number)
        for number, row_errors in enumerate(formset.errors, start=1):
            for name, messages in row_errors.items():
                field = None if name == "__all__" else name
                errors += [AnswerError(step, number, field, m) for m in messages]
        errors += [AnswerError(step, None, None, m) for m in formset.non_form_errors()]
    return errors


def create_assessment_from_answers(*, owner, data: Mapping) -> Assessment:
    """Create an assessment from answers in the documented shape, each step validated by its
    own form and formset and saved by the same service as the pages. All or nothing: any
    error anywhere and nothing is written (raises `AnswersInvalid` with every error)."""
    errors = _shape_errors(data)
    if errors:
        raise AnswersInvalid(errors)
    answers, rows = data.get("answers", {}), data.get("rows", {})
    with transaction.atomic():
        profile_class, _ = STEP_FORMS["profile"]
        profile = profile_class(_step_data("profile", answers["profile"], []), prefix=FORM_PREFIX)
        errors = _form_errors("profile", profile, None, answers["profile"], [])
        if errors or not profile.is_valid():
            raise AnswersInvalid(errors)
        assessment = create_assessment(owner=owner, form=profile)
        for step in STEPS[1:]:
            if step not in answers and step not in rows:
                continue  # not answered: stays unknown
            step_answers, step_rows = answers.get(step, {}), rows.get(step, [])
            data_for_step = _step_data(step, step_answers, step_rows)
            form_class, formset_class = STEP_FORMS[step]
            form = (
                form_class(data_for_step, instance=assessment, prefix=FORM_PREFIX)
                if form_class
                else None
            )
            formset = (
                formset_class(data_for_step, instance=assessment, prefix=step)
                if formset_class
                else None
            )
            step_errors = _form_errors(step, form, formset, step_answers, step_rows)
            if step_errors:
                errors += step_errors
                continue
            # One transaction holds every step, so the revision read here cannot go stale.
            assessment = save_step(
                assessment=assessment,
                step=step,
                revision=assessment.revision,
                form=form,
                formset=formset,
            )
        if errors:
            raise AnswersInvalid(errors)  # rolls back the steps already saved
    return assessment
