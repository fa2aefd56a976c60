"""The assessment workbook read back: the XLSX the scorecard page downloads (or the blank
template) edited offline and uploaded, turned into answers by step and rows by list
(checklist/answers.py), which the same service validates and writes all or nothing.

The answers sheets are read exactly as they are written (forms.answer_sheets): "Answers" has
one row per question (step title, question as the form words it, answer as the form shows
it) and each list has its own sheet whose columns are the row form's labels. A label is
turned back into the form's field, and a shown option ("Liberalising", "Don't know") into its
code; the code itself is accepted too. The "Steps" sheet says which steps were answered, so
a step answered with every box empty reads back as answered. The "Assessment" sheet names the
assessment and the revision of its answers the workbook was made from, so an upload over
answers saved since is refused rather than silently undoing them. Nothing here is hard-coded
per question: every name, label and choice comes from the step forms.

Every read is bounded: the file's size (forms.WorkbookUploadForm), rows and columns per
sheet, characters per cell and rows per list, each refused with a message that says where.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

from django import forms

from clusterdx.downloads import NotAWorkbook, open_xlsx, restored
from engine import criteria

from .answers import (
    LEGACY_KINDS,
    AnswerError,
    AnswersInvalid,
    answers_of,
    create_assessment_from_answers,
)
from .answers import replace_answers as replace_stored_answers
from .exports import ANSWERS_SHEET, ASSESSMENT_SHEET, SCORE_SHEETS, STEPS_SHEET
from .forms import LIST_MAX_ROWS, LIST_TITLES, ROW_BOOKKEEPING, STEP_FORMS, STEP_TITLES, _shown
from .models import APPROX_FIELDS, STEPS, Assessment
from .services import StaleRevision

ANSWERS_COLUMNS = ("step", "question", "answer")
STEPS_COLUMNS = ("step", "answered")
ASSESSMENT_COLUMNS = ("assessment", "revision")
REQUIRED_SHEETS = (ANSWERS_SHEET, *LIST_TITLES.values())
KNOWN_SHEETS = (*SCORE_SHEETS, *REQUIRED_SHEETS, STEPS_SHEET, ASSESSMENT_SHEET)
# Far above what an assessment needs (its questions, LIST_MAX_ROWS rows, a list's columns, the
# longest answer anyone writes), low enough that a hostile file costs little to refuse.
MAX_SHEET_ROWS = 1000
MAX_SHEET_COLUMNS = 60
MAX_CELL_CHARS = 5000


class WorkbookInvalid(Exception):
    """The file cannot be read as an assessment workbook, or its answers do not validate:
    every problem in words, by sheet, row and column."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class ReadWorkbook:
    data: dict  # {"answers": ..., "rows": ...}
    # Where each answer came from: (step, row, field) -> (sheet, spreadsheet row, column).
    places: dict = field(default_factory=dict)
    # Which assessment, at which revision of its answers, the workbook was downloaded from
    # (None for the blank template).
    assessment: int | None = None
    revision: int | None = None

    def in_words(self, error: AnswerError) -> str:
        place = self.places.get((error.step, error.row, error.field))
        if place is None:
            place = self.places.get((error.step, error.row, None))
        if place is None:
            sheet = LIST_TITLES.get(error.step) if error.row else ANSWERS_SHEET
            return f"Sheet '{sheet}' ({STEP_TITLES.get(error.step, error.step)}): {error.message}"
        sheet, row, column, *question = place
        where = f"Sheet '{sheet}', row {row}" + (f", column '{column}'" if column else "")
        if question:  # the Answers sheet: the question too, not just its row
            where += f" ({question[0]})"
        return f"{where}: {error.message}"


def _text(value) -> str:
    if value is None:
        return ""
    return restored(str(value).strip())  # the download's guard against formulas comes off


def _cell(value):
    """A cell as the form reads it: numbers stay numbers, text loses the download's guard."""
    if isinstance(value, bool | int | float):
        return value
    return _text(value)


def _coded(form_field, value):
    """A shown answer back to the form's code, using the field's own choices."""
    if isinstance(form_field, forms.BooleanField):
        if isinstance(value, bool):
            return value
        return _text(value).casefold() in {"yes", "true", "1"}
    if isinstance(form_field, forms.ModelChoiceField):
        # A tie's institution, by name: the answers service finds it among this assessment's
        # own institutions (ids change when the answers are replaced; names do not).
        return _text(value)
    choices = list(getattr(form_field, "choices", ()) or ())
    if not choices:
        return value
    by_words = {}
    for code, label in choices:
        by_words[str(label).strip().casefold()] = code
        by_words[str(code).casefold()] = code
    if isinstance(form_field, forms.MultipleChoiceField):
        return [by_words.get(p.casefold(), p) for p in _ticked(_text(value), by_words)]
    text = "" if value is None else str(value).strip()
    if text.startswith("---"):
        return ""
    return by_words.get(text.casefold(), text)


def _ticked(text: str, by_words: dict) -> list[str]:
    """The options in "Price, Reliable, rapid delivery" (as forms._shown joins them): the
    longest option at each place, since an option's own words may hold a comma."""
    ticked, rest = [], text.strip()
    while rest:
        folded = rest.casefold()
        known = [w for w in by_words if folded == w or folded.startswith(w + ",")]
        part = max(known, key=len) if known else folded.split(",", 1)[0]
        ticked.append(rest[: len(part)].strip())
        rest = rest[len(part) :].lstrip(",").strip()
    return [t for t in ticked if t]


def _figure(name: str, value, into: dict) -> object:
    """A figure as the sheets show it: "about 300" is 300 marked approximate (forms._approximate
    folds the approximate box into its figure), so `into` gets the box too."""
    flag = APPROX_FIELDS.get(name)
    if flag is None:
        return value
    text = _text(value) if isinstance(value, str) else value
    about = isinstance(text, str) and text.casefold().startswith("about ")
    into[flag] = about
    if not about:
        return value
    number = text[len("about ") :].strip()
    try:
        return float(number.replace(",", ""))  # as the cell would hold it without "about"
    except ValueError:
        return number  # the form says what is wrong with it


def _blank_shown() -> dict:
    """What each question shows on an unanswered assessment, step by step."""
    blank = Assessment()
    shown = {}
    for step, (form_class, _) in STEP_FORMS.items():
        if form_class is not None:
            form = form_class(instance=blank)
            shown[step] = {
                name: _shown(form.fields[name], form[name].value()) for name in form.fields
            }
    return shown


def _open(content: bytes):
    try:
        return open_xlsx(content)
    except NotAWorkbook as problem:
        raise WorkbookInvalid([str(problem)]) from None


def _rows(sheet, problems: list[str]) -> tuple[list[str], list[tuple[int, tuple]]]:
    """The sheet's header and its non-empty rows (with their spreadsheet numbers), read no
    further than the bounds; a cell too long is a problem, named by row and column."""
    lines = sheet.iter_rows(values_only=True, max_col=MAX_SHEET_COLUMNS)
    rows = list(itertools.islice(lines, MAX_SHEET_ROWS + 1))
    if len(rows) > MAX_SHEET_ROWS:
        problems.append(
            f"Sheet '{sheet.title}': more than {MAX_SHEET_ROWS} rows; an assessment has far fewer."
        )
        return [], []
    if not rows:
        return [], []
    for number, row in enumerate(rows, start=1):
        for position, value in enumerate(row):
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                problems.append(
                    f"Sheet '{sheet.title}', row {number}, column {position + 1}: "
                    f"{len(value):,} characters; an answer holds at most {MAX_CELL_CHARS:,}."
                )
    header = [_text(h) for h in rows[0]]
    body = [
        (number, row)
        for number, row in enumerate(rows[1:], start=2)
        if any(_text(v) for v in row)  # a wholly empty line is no row
    ]
    return header, body


def _number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _origin(book, problems: list[str]) -> tuple[int | None, int | None]:
    """The assessment and revision the "Assessment" sheet names (None, None if blank)."""
    if ASSESSMENT_SHEET not in book.sheetnames:
        return None, None
    header, body = _rows(book[ASSESSMENT_SHEET], problems)
    if any(c not in header for c in ASSESSMENT_COLUMNS) or len(body) > 1:
        problems.append(
            f"Sheet '{ASSESSMENT_SHEET}': row 1 must read {', '.join(ASSESSMENT_COLUMNS)} and "
            "row 2 hold them (as the download writes it)."
        )
        return None, None
    if not body:
        return None, None
    number, row = body[0]
    found = []
    for name in ASSESSMENT_COLUMNS:
        position = header.index(name)
        text = _text(row[position]) if position < len(row) else ""
        value = _number(text)
        if text and value is None:
            problems.append(
                f"Sheet '{ASSESSMENT_SHEET}', row {number}, column '{name}': '{text[:40]}' is "
                "not a whole number."
            )
        found.append(value)
    return found[0], found[1]


def read_workbook(content: bytes) -> ReadWorkbook:
    """The answers in the workbook, or WorkbookInvalid naming every problem of layout (a
    missing sheet, an unknown column, a question or step the forms do not have)."""
    book = _open(content)
    problems = [
        f"The workbook has no sheet '{name}' (it needs: {', '.join(REQUIRED_SHEETS)})."
        for name in REQUIRED_SHEETS
        if name not in book.sheetnames
    ]
    problems += [
        f"The workbook has a sheet '{name[:40]}' that is not one of an assessment workbook "
        f"({', '.join(KNOWN_SHEETS)})."
        for name in book.sheetnames
        if name not in KNOWN_SHEETS
    ]
    if problems:
        raise WorkbookInvalid(problems)
    step_by_title = {title.casefold(): step for step, title in STEP_TITLES.items()}
    answers: dict[str, dict] = {}
    rows: dict[str, list] = {}
    places: dict = {}
    answered: set[str] = {"profile"}

    header, body = _rows(book[ANSWERS_SHEET], problems)
    missing = [c for c in ANSWERS_COLUMNS if c not in header]
    if missing:
        raise WorkbookInvalid(
            [f"Sheet '{ANSWERS_SHEET}': no column '{c}' in row 1." for c in missing]
        )
    column = {name: header.index(name) for name in ANSWERS_COLUMNS}
    forms_by_step = {
        step: form_class() for step, (form_class, _) in STEP_FORMS.items() if form_class
    }
    labels = {
        step: {str(form[name].label).strip().casefold(): name for name in form.fields}
        for step, form in forms_by_step.items()
    }
    # A workbook downloaded before a kind was asked by a direct question still has the kind's
    # row: read as answers.py reads such answers (folded into the direct question).
    legacy = {}
    for kind in LEGACY_KINDS:
        legacy[(kind.step, kind.question.casefold())] = kind.field
        labels[kind.step].setdefault(kind.question.casefold(), kind.field)
    legacy_field = forms.ChoiceField(choices=criteria.INVENTORY_ANSWERS, required=False)
    blank = _blank_shown()
    for number, row in body:
        title, question = _text(row[column["step"]]), _text(row[column["question"]])
        step = step_by_title.get(title.casefold())
        if step is None or step not in forms_by_step:
            problems.append(
                f"Sheet '{ANSWERS_SHEET}', row {number}, column 'step': '{title}' is not a step "
                f"with questions ({', '.join(STEP_TITLES[s] for s in forms_by_step)})."
            )
            continue
        name = labels[step].get(question.casefold())
        if name is None:
            problems.append(
                f"Sheet '{ANSWERS_SHEET}', row {number}, column 'question': '{question}' is not "
                f"a question of {title}."
            )
            continue
        value = row[column["answer"]] if column["answer"] < len(row) else None
        step_answers = answers.setdefault(step, {})
        figure = _figure(name, _cell(value), step_answers)
        if (step, question.casefold()) in legacy:
            step_answers[name] = _coded(legacy_field, figure)
            continue  # no question of the form's own, so no answer that marks the step
        step_answers[name] = _coded(forms_by_step[step].fields[name], figure)
        places[(step, None, name)] = (ANSWERS_SHEET, number, "answer", question)
        if _cell(value) not in ("", None) and _cell(value) != blank[step][name]:
            answered.add(step)

    for step, title in LIST_TITLES.items():
        row_form = STEP_FORMS[step][1].form()
        by_label = {}
        for name in row_form.fields:
            if name not in ROW_BOOKKEEPING:
                by_label[str(row_form[name].label).strip().casefold()] = name
                by_label[name.casefold()] = name
        header, body = _rows(book[title], problems)
        if len(body) > LIST_MAX_ROWS:
            problems.append(
                f"Sheet '{title}': {len(body)} rows; a list holds at most {LIST_MAX_ROWS}."
            )
            continue
        names = []
        for position, heading in enumerate(header):
            if not heading:
                names.append(None)
                continue
            name = by_label.get(heading.casefold())
            if name is None:
                problems.append(
                    f"Sheet '{title}', row 1, column {position + 1}: '{heading[:60]}' is not a "
                    "column of this list."
                )
            names.append(name)
        step_rows = []
        for index, (number, cells) in enumerate(body, start=1):
            item = {}
            for name, value in zip(names, cells, strict=False):
                if name is not None:
                    figure = _figure(name, _cell(value), item)
                    item[name] = _coded(row_form.fields[name], figure)
                    places[(step, index, name)] = (title, number, row_form[name].label)
            places[(step, index, None)] = (title, number, None)
            step_rows.append(item)
        rows[step] = step_rows
        if step_rows:
            answered.add(step)

    if STEPS_SHEET in book.sheetnames:
        header, body = _rows(book[STEPS_SHEET], problems)
        if all(c in header for c in STEPS_COLUMNS):
            for _, row in body:
                step = step_by_title.get(_text(row[header.index("step")]).casefold())
                if step and _text(row[header.index("answered")]).casefold() == "yes":
                    answered.add(step)
    assessment, revision = _origin(book, problems)
    if problems:
        raise WorkbookInvalid(problems)
    data = {
        "answers": {s: a for s, a in answers.items() if s in answered},
        "rows": {s: r for s, r in rows.items() if s in answered and STEP_FORMS[s][1]},
    }
    return ReadWorkbook(data=data, places=places, assessment=assessment, revision=revision)


def _comparable(value):
    if value in (None, "", []):
        return ""
    if isinstance(value, list):
        return tuple(sorted(value))
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    return str(value)


def same_answers(first: Mapping, second: Mapping) -> bool:
    """Whether two sets of answers say the same (an empty box is an empty box, 80 is 80.0),
    so that uploading an unchanged download changes nothing, not even the revision."""

    def norm(data):
        answers = {
            step: {k: _comparable(v) for k, v in values.items()}
            for step, values in data.get("answers", {}).items()
        }
        rows = {
            step: [{k: _comparable(v) for k, v in row.items()} for row in items]
            for step, items in data.get("rows", {}).items()
        }
        return answers, rows

    return norm(first) == norm(second)


def steps_rows(steps_done) -> list[dict]:
    """The "Steps" sheet: which steps are answered (see the module's docstring)."""
    return [{"step": STEP_TITLES[s], "answered": "yes" if s in steps_done else "no"} for s in STEPS]


def origin_rows(assessment: Assessment | None) -> list[dict]:
    """The "Assessment" sheet: which assessment, at which revision (blank in the template)."""
    if assessment is None:
        return [{"assessment": "", "revision": ""}]
    return [{"assessment": assessment.pk, "revision": assessment.revision}]


def upload_workbook(content: bytes, *, owner, assessment: Assessment | None = None):
    """Read a workbook and create an assessment from it (`assessment` None) or replace that
    assessment's answers with it, validated all or nothing by the answers service. Returns
    (the assessment, whether anything changed); WorkbookInvalid names every problem by sheet,
    row and column, including a workbook older than the stored answers."""
    read = read_workbook(content)
    try:
        if assessment is None:
            return create_assessment_from_answers(owner=owner, data=read.data), True
        if read.assessment != assessment.pk or read.revision is None:
            raise WorkbookInvalid(
                [
                    f"Sheet '{ASSESSMENT_SHEET}': this workbook was not downloaded from this "
                    "assessment, so it cannot say whether the answers were saved since. "
                    "Download this assessment's workbook, edit it and upload that one (a blank "
                    "template starts a new assessment)."
                ]
            )
        if same_answers(read.data, answers_of(assessment)):
            return assessment, False  # not even the revision moves
        replaced = replace_stored_answers(
            assessment=assessment, data=read.data, revision=read.revision
        )
        return replaced, True
    except AnswersInvalid as invalid:
        raise WorkbookInvalid([read.in_words(error) for error in invalid.errors]) from None
    except StaleRevision:
        raise WorkbookInvalid(
            [
                f"Sheet '{ASSESSMENT_SHEET}': the answers were saved since this workbook was "
                f"downloaded (revision {read.revision}, now {assessment.revision}). Nothing was "
                "changed: download the workbook again and make your changes in that one."
            ]
        ) from None
