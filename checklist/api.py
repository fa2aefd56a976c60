"""The checklist on the JSON API: case and assessment scorecards (read), and assessments'
answers in and out — `POST /api/assessments/` creates, `GET /api/assessments/<id>/` reads and
`PUT /api/assessments/<id>/` replaces, all in the shape of checklist/answers.py and validated
by exactly the step forms (that module does the work; this one is the interface).

Who may do what is the pages' rule: `Assessment.objects.for_user` to read, `editable_by` to
replace (anything else is a 404, never a leak), officers and admins to create. Callers sign in
with the site's session (unsafe methods then need the CSRF token) or an API key
(`Authorization: Bearer <key>`, from `manage.py api_token USER`).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Field, Router, Schema
from ninja.security import HttpBearer, SessionAuth

from cases.api import case_not_found, is_case_slug
from cases.derived import json_response
from cases.models import CaseStudy

from .adapters import assessment_scorecard as assessment_scorecard_of
from .adapters import case_scorecard
from .answers import (
    AnswerError,
    AnswersInvalid,
    answers_of,
    create_assessment_from_answers,
    replace_answers,
)
from .forms import LIST_MAX_ROWS, ROW_BOOKKEEPING, STEP_FORMS
from .models import ApiToken, Assessment, can_create_assessments
from .payloads import scorecard_payload
from .services import StaleRevision


class ApiKey(HttpBearer):
    def authenticate(self, request, token):
        return ApiToken.objects.user_for(token)


# The key is tried first: a request carrying one needs no session and no CSRF token.
SIGNED_IN = [ApiKey(), SessionAuth(csrf=True)]


def _visitor(request):
    # The read endpoints are open; a signed-in visitor (key or session) sees what they may.
    return request.user


READERS = [ApiKey(), _visitor]

router = Router(tags=["checklist"])


def _questions(fields) -> str:
    return ", ".join(f"`{name}`" for name in fields if name not in ROW_BOOKKEEPING)


# Read from the step forms, so the schema names every question the forms ask, today's and
# any added later, and validation stays theirs alone.
STEP_QUESTIONS = "; ".join(
    f"**{step}**: {_questions(form_class.base_fields)}"
    for step, (form_class, _) in STEP_FORMS.items()
    if form_class is not None
)
LIST_COLUMNS = "; ".join(
    f"**{step}**: {_questions(formset_class.form.base_fields)}"
    for step, (_, formset_class) in STEP_FORMS.items()
    if formset_class is not None
)


class AnswersIn(Schema):
    """Answers by step, rows by list (validation/README.md). `revision` is required by PUT."""

    answers: dict[str, dict[str, Any]] = Field(
        description="Each step's answers by question, as its form takes them (codes for "
        f"options, null for unknown). The profile is required. {STEP_QUESTIONS}."
    )
    rows: dict[str, list[dict[str, Any]]] = Field(
        {},
        description=f"Each list's rows (at most {LIST_MAX_ROWS}); a list given as [] means "
        f"none. {LIST_COLUMNS}.",
    )
    revision: int | None = Field(None, description="The revision you read (PUT only).")


class ErrorOut(Schema):
    step: str | None
    row: int | None
    field: str | None
    message: str


class ErrorsOut(Schema):
    errors: list[ErrorOut]


class AssessmentOut(Schema):
    id: int
    name: str
    status: str
    revision: int
    answers: dict[str, dict[str, Any]]
    rows: dict[str, list[dict[str, Any]]]


class ScorecardNotFoundOut(ErrorsOut):
    error: str = Field(description="The message again, as this endpoint answered it before.")


# What every endpoint signed in by key or session may also answer, in the errors format.
NOT_SIGNED_IN = {401: ErrorsOut}
NOT_FOUND = {404: ErrorsOut}


class ConflictOut(ErrorsOut):
    revision: dict[str, int]
    stored: AssessmentOut


def _user(request):
    # ApiKey puts the key's user in request.auth; the session puts request.user there too.
    return request.auth


def assessment_payload(assessment: Assessment) -> dict:
    return {
        "id": assessment.pk,
        "name": assessment.name,
        "status": assessment.status,
        "revision": assessment.revision,
        **answers_of(assessment),
    }


def errors_response(errors: list[AnswerError], status: int, **extra) -> JsonResponse:
    return JsonResponse({"errors": [asdict(e) for e in errors], **extra}, status=status)


def _no_assessment(pk: int) -> JsonResponse:
    """404 in the errors format every other answer of these endpoints uses."""
    error = AnswerError("(request)", None, None, f"No assessment {pk} that you may see.")
    return errors_response([error], 404)


def _no_assessment_scorecard(pk: int) -> JsonResponse:
    """The scorecard's 404: the errors format, and the `error` it answered before the write
    API came (its URL and shape are kept for the clients that read it)."""
    response = _no_assessment(pk)
    body = json.loads(response.content)
    return JsonResponse({"error": body["errors"][0]["message"], **body}, status=404)


@router.get(
    "/cases/{slug}/scorecard/",
    url_name="case-scorecard",
    auth=None,
    summary="A library case scored against the eight points (404: unknown slug)",
)
def case_scorecard_endpoint(request: HttpRequest, slug: str):
    # Text no slug can be is a 404 without a query; a cached payload needs no case query.
    if not is_case_slug(slug) or not CaseStudy.objects.filter(slug=slug).exists():
        return case_not_found(slug)
    return json_response(
        "api-case-scorecard",
        slug,
        build=lambda: scorecard_payload(
            case_scorecard(CaseStudy.objects.with_library().get(slug=slug))
        ),
    )


@router.get(
    "/assessments/{int:pk}/scorecard/",
    url_name="assessment-scorecard",
    auth=READERS,
    response={200: dict[str, Any], 404: ScorecardNotFoundOut},
    summary="An assessment's scorecard (404 unless you may see it)",
)
def assessment_scorecard_endpoint(request: HttpRequest, pk: int):
    assessment = Assessment.objects.for_user(request.auth).filter(pk=pk).first()
    if assessment is None:
        return _no_assessment_scorecard(pk)
    return JsonResponse(scorecard_payload(assessment_scorecard_of(assessment)))


@router.post(
    "/assessments/",
    url_name="assessments",
    auth=SIGNED_IN,
    response={201: AssessmentOut, 400: ErrorsOut, 403: ErrorsOut, 422: ErrorsOut, **NOT_SIGNED_IN},
    summary="Create an assessment from answers (officers and admins)",
)
def create_assessment_endpoint(request: HttpRequest, payload: AnswersIn):
    user = _user(request)
    if not can_create_assessments(user):
        error = AnswerError("(request)", None, None, "Only policy officers create assessments.")
        return errors_response([error], 403)
    data = {"answers": payload.answers, "rows": payload.rows}
    try:
        assessment = create_assessment_from_answers(owner=user, data=data)
    except AnswersInvalid as invalid:
        return errors_response(invalid.errors, 422)
    return JsonResponse(assessment_payload(assessment), status=201)


@router.get(
    "/assessments/{int:pk}/",
    url_name="assessment",
    auth=SIGNED_IN,
    response={200: AssessmentOut, **NOT_SIGNED_IN, **NOT_FOUND},
    summary="An assessment's answers, in the shape POST and PUT take (404 unless you may see it)",
)
def read_assessment_endpoint(request: HttpRequest, pk: int):
    assessment = Assessment.objects.for_user(_user(request)).filter(pk=pk).first()
    if assessment is None:
        return _no_assessment(pk)
    return assessment_payload(assessment)


@router.put(
    "/assessments/{int:pk}/",
    url_name="assessment-replace",
    auth=SIGNED_IN,
    response={
        200: AssessmentOut,
        400: ErrorsOut,
        409: ConflictOut,
        422: ErrorsOut,
        **NOT_SIGNED_IN,
        **NOT_FOUND,
    },
    summary="Replace all of an assessment's answers (its owner or an admin; all or nothing)",
    description="Anyone else gets a 404, as for an assessment that does not exist. Send "
    "the `revision` you read. If the answers were saved since, nothing "
    "changes and the answer is 409 with both revisions and the stored answers. A step left "
    "out becomes unanswered; a list given replaces the stored rows.",
)
def replace_assessment_endpoint(request: HttpRequest, pk: int, payload: AnswersIn):
    assessment = Assessment.objects.editable_by(_user(request)).filter(pk=pk).first()
    if assessment is None:
        return _no_assessment(pk)
    if payload.revision is None:
        error = AnswerError("(request)", None, "revision", "send the revision you read")
        return errors_response([error], 400)
    data = {"answers": payload.answers, "rows": payload.rows}
    try:
        assessment = replace_answers(assessment=assessment, data=data, revision=payload.revision)
    except AnswersInvalid as invalid:
        return errors_response(invalid.errors, 422)
    except StaleRevision:
        stored = Assessment.objects.get(pk=pk)
        error = AnswerError(
            "(request)",
            None,
            "revision",
            f"these answers were saved since revision {payload.revision} (now "
            f"{stored.revision}): read them again, then send your changes",
        )
        return errors_response(
            [error],
            409,
            revision={"yours": payload.revision, "stored": stored.revision},
            stored=assessment_payload(stored),
        )
    return assessment_payload(assessment)
