"""An assessment's answers as plain data — "answers by step, rows by list" — and the service
that creates an assessment from them, validated by exactly the forms the pages use.

Shape (documented in validation/README.md; `GET /api/assessments/<id>/` returns it, `POST` and
`PUT` take it, and the workbook upload reads it from the sheets):

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
from decimal import Decimal

from django.db import transaction

from engine import criteria

from .forms import LIST_MAX_ROWS, ROW_BOOKKEEPING, STEP_FORMS
from .models import DIRECT_QUESTIONS, STEPS, Assessment
from .services import StaleRevision, create_assessment, record_score, save_step

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


# Answers written before a kind was asked by a direct question (criteria.Inventory.asked_by)
# carry the kind's own answer, e.g. institutions.self_help: still read, as migration 0008
# reads the stored ones: "none" is "no" to the direct question unless that was answered.
LEGACY_KINDS = tuple(kind for kind in criteria.INVENTORIES if kind.asked_by)


def _current(data):
    """`data` with any legacy kind's answer folded into its direct question (a copy)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("answers"), Mapping):
        return data
    answers = dict(data["answers"])
    for kind in LEGACY_KINDS:
        old_step = answers.get(kind.step)
        if not isinstance(old_step, Mapping) or kind.field not in old_step:
            continue
        old_step = answers[kind.step] = dict(old_step)
        said = old_step.pop(kind.field)
        step, field = DIRECT_QUESTIONS[kind.asked_by]
        direct = answers.get(step)
        if said == "none" and isinstance(direct or {}, Mapping):
            if (direct or {}).get(field) in (None, ""):
                answers[step] = {**(direct or {}), field: "no"}
    return {**data, "answers": answers}


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
        elif len(step_rows) > LIST_MAX_ROWS:
            message = f"{len(step_rows)} rows: a list holds at most {LIST_MAX_ROWS}"
            errors.append(AnswerError(step, None, None, message))
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
        row_fields = set(formset.form.base_fields) - ROW_BOOKKEEPING
        for number, row in enumerate(rows, start=1):
            errors += _unknown_names(step, row, row_fields, number)
        for number, row_errors in enumerate(formset.errors, start=1):
            for name, messages in row_errors.items():
                field = None if name == "__all__" else name
                errors += [AnswerError(step, number, field, m) for m in messages]
        errors += [AnswerError(step, None, None, m) for m in formset.non_form_errors()]
    return errors


# The steps in the order they are saved from data: the form's order (STEPS), in which the
# institutions come before the linkages, so a tie can name one of the same answers'
# institutions (they have their ids by then).
SAVE_ORDER = STEPS[1:]


def _institutions_by_name(assessment: Assessment, rows: list, errors: list) -> list:
    """The ties' rows with each institution named as answers_of and the workbook give it (by
    its name, which stays the same when the answers are replaced; an id would not) turned
    into the id of that institution of this assessment, for the form. A name matching no
    institution, or more than one, is an error naming the row."""
    ids: dict[str, list[int]] = {}
    typed: dict[str, str] = {}  # each name as the officer typed it (the first of a spelling)
    for pk, name in assessment.institutions.values_list("pk", "name"):
        ids.setdefault(name.strip().casefold(), []).append(pk)
        typed.setdefault(name.strip().casefold(), name.strip())
    resolved = []
    for number, row in enumerate(rows, start=1):
        named = row.get("institution") if isinstance(row, Mapping) else None
        if isinstance(named, str) and named.strip():
            found = ids.get(named.strip().casefold(), [])
            if len(found) == 1:
                row = {**row, "institution": found[0]}
            elif found:
                errors.append(
                    AnswerError(
                        "linkages", number, "institution",
                        f"{len(found)} institutions are named '{named}': give them different "
                        "names to say which one this tie connects",
                    )
                )  # fmt: skip
            elif not named.strip().isdigit():  # a bare number is taken as an id, as before
                # Matched regardless of case, but shown as typed: "CLRI", not "clri".
                listed = ", ".join(sorted(typed.values(), key=str.casefold)) or "none listed"
                errors.append(
                    AnswerError(
                        "linkages", number, "institution",
                        f"no institution named '{named}' among this assessment's institutions "
                        f"({listed})",
                    )
                )  # fmt: skip
        resolved.append(row)
    return resolved


def _save_answered_steps(assessment: Assessment, answers: Mapping, rows: Mapping):
    """Validate and save every step after the profile that `answers` or `rows` gives, each by
    its own form and formset through the pages' service. Returns the assessment and every
    error; the caller's transaction rolls back if there are any."""
    errors = []
    for step in SAVE_ORDER:
        if step not in answers and step not in rows:
            continue  # not answered: stays unknown
        step_answers, step_rows = answers.get(step, {}), rows.get(step, [])
        if step == "linkages" and isinstance(step_rows, list):
            if any(e.step == "institutions" for e in errors):
                # The institutions were refused, so the ties cannot name them yet: the rest of
                # each tie is still checked, and the institution once the list is fixed.
                step_rows = [
                    {k: v for k, v in row.items() if k != "institution"}
                    if isinstance(row, Mapping)
                    else row
                    for row in step_rows
                ]
            else:
                named_errors: list[AnswerError] = []
                step_rows = _institutions_by_name(assessment, step_rows, named_errors)
                if named_errors:
                    errors += named_errors
                    continue
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
    return assessment, errors


def create_assessment_from_answers(*, owner, data: Mapping) -> Assessment:
    """Create an assessment from answers in the documented shape, each step validated by its
    own form and formset and saved by the same service as the pages. All or nothing: any
    error anywhere and nothing is written (raises `AnswersInvalid` with every error)."""
    data = _current(data)
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
        assessment, errors = _save_answered_steps(assessment, answers, rows)
        if errors:
            raise AnswersInvalid(errors)  # rolls back the steps already saved
    return assessment


def _unanswer(assessment: Assessment, step: str) -> None:
    """Take a step back to unanswered: its questions to their defaults, its list emptied."""
    form_class, formset_class = STEP_FORMS[step]
    if form_class is not None:
        columns = {f.name: f for f in Assessment._meta.concrete_fields}
        for name in form_class.base_fields:
            if name in columns:
                setattr(assessment, name, columns[name].get_default())
    if formset_class is not None:
        formset_class.model.objects.filter(assessment=assessment).delete()


def replace_answers(*, assessment: Assessment, data: Mapping, revision: int) -> Assessment:
    """Replace all of an assessment's answers with `data` (the documented shape): a step
    given is validated and saved as a page saves it, a list given replaces the stored rows,
    a step left out becomes unanswered. `revision` is the one the caller read: if the answers
    were saved since, StaleRevision and nothing changes. All or nothing, as for creating."""
    data = _current(data)
    errors = _shape_errors(data)
    if errors:
        raise AnswersInvalid(errors)
    answers, rows = data.get("answers", {}), data.get("rows", {})
    with transaction.atomic():
        # Locked until the end: no page save can slip in between the check and the writes.
        stored = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if stored.revision != revision:
            raise StaleRevision(assessment.pk)
        for step in STEPS[1:]:
            _unanswer(stored, step)  # rows go first: new rows are checked against none
        stored.steps_done = ["profile"]
        profile_class, _ = STEP_FORMS["profile"]
        profile = profile_class(
            _step_data("profile", answers["profile"], []), instance=stored, prefix=FORM_PREFIX
        )
        errors = _form_errors("profile", profile, None, answers["profile"], [])
        if not errors:
            stored.save()  # the emptied steps, so each step's save starts from them
            # A submitted assessment is rescored once for the whole replacement, not at each
            # step: the status reads "draft" in memory only (step saves do not write it).
            submitted, stored.status = stored.status, Assessment.Status.DRAFT
            stored = save_step(
                assessment=stored, step="profile", revision=stored.revision, form=profile
            )
            stored, errors = _save_answered_steps(stored, answers, rows)
            stored.status = submitted
        if errors:
            raise AnswersInvalid(errors)  # rolls back: the stored answers stay as they were
        # One replacement is one new revision, however many steps it saved (the row is
        # locked, so no other save can have taken the number in between).
        Assessment.objects.filter(pk=stored.pk).update(revision=revision + 1)
        stored.revision = revision + 1
        if stored.status == Assessment.Status.SUBMITTED:
            record_score(assessment=stored)
    return stored


def _plain(value):
    # JSON has no Decimal; the forms read 40.5 as they read "40.5".
    if isinstance(value, Decimal):
        return float(value)
    return value


def answers_of(assessment: Assessment) -> dict:
    """The assessment's answers in the documented shape, as the step forms read them back:
    the answered steps only (a step left out is unknown), each list's rows in order."""
    answers, rows = {}, {}
    for step in STEPS:
        if step != "profile" and not assessment.step_done(step):
            continue
        form_class, formset_class = STEP_FORMS[step]
        if form_class is not None:
            form = form_class(instance=assessment)
            answers[step] = {bound.name: _plain(bound.value()) for bound in form}
        if formset_class is not None:
            formset = formset_class(instance=assessment, prefix=step)
            rows[step] = [
                {
                    name: _plain(row[name].value())
                    for name in row.fields
                    if name not in ROW_BOOKKEEPING
                }
                for row in formset.initial_forms
            ]
    names = dict(assessment.institutions.values_list("pk", "name"))
    for tie in rows.get("linkages", []):
        # By name, as the workbook shows it: replacing the answers gives institutions new ids.
        tie["institution"] = names.get(tie.get("institution"), "")
    return {"answers": answers, "rows": rows}
