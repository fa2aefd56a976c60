"""The JSON API (django-ninja): the routers of the apps, the OpenAPI schema at /api/schema/
and its docs at /api/docs/.

The docs page is ninja's Swagger UI served from the installed package's static files ("ninja"
is in INSTALLED_APPS, so nothing comes from a CDN); its template has no inline script (the
settings travel as a JSON data block read by ninja's static swagger-ui-init.js), so the site's
CSP (script-src 'self') holds there too.
"""

import json

from django.core.exceptions import RequestDataTooBig
from ninja import NinjaAPI, Swagger
from ninja.errors import HttpError, ValidationError
from ninja.openapi.docs import render_template
from ninja.parser import Parser

from cases.api import router as cases_router
from checklist.answers import AnswerError
from checklist.api import errors_response
from checklist.api import router as checklist_router

# An assessment's answers in full, LIST_MAX_ROWS rows in each list, are some tens of kilobytes.
MAX_BODY_BYTES = 256 * 1024
TOO_LARGE = f"The body is larger than {MAX_BODY_BYTES // 1024} KB; send one assessment's answers."


class BodyRefused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class BoundedParser(Parser):
    """JSON bodies up to MAX_BODY_BYTES. (Django's DATA_UPLOAD_MAX_MEMORY_SIZE bounds what is
    read before this runs; ninja turns any error here into a 400 "cannot parse", so the
    refusal travels as the cause and request_refused answers it with its own words.)"""

    def parse_body(self, request):
        if len(request.body) > MAX_BODY_BYTES:
            raise BodyRefused(413, TOO_LARGE)
        try:
            return json.loads(request.body)
        except RecursionError:  # nesting no answers have, deep enough to exhaust the parser
            message = "The body nests too deeply to be an assessment's answers."
            raise BodyRefused(400, message) from None


class SignedInSwagger(Swagger):
    """Swagger UI whose "Try it out" works for a signed-in user: the page sends its CSRF token
    with each request, as session authentication of the write endpoints requires. (ninja adds
    it only when the API as a whole has a CSRF-checking auth; ours is set per router, so its
    docs page answered every PUT and POST with a 403.) A token user presses Authorize."""

    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": True,
        }
        return render_template(request, self.template, self.template_cdn, context)


api = NinjaAPI(
    parser=BoundedParser(),
    title="ClusterDx API",
    version="1",
    description="The case library, scorecards, and assessments' answers in and out. "
    'Signed in on the site, "Try it out" sends your session; from a script, an admin issues '
    "an API key (the admin's API tokens, or manage.py api_token USERNAME): press Authorize "
    "with it. Answers use the form's codes: GET an assessment to see its shape, and /method/ "
    "for what each answer feeds.",
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs/",
    # Swagger UI would fetch a badge from validator.swagger.io: nothing from the internet.
    docs=SignedInSwagger(settings={"validatorUrl": "none"}),
)
api.add_router("", cases_router)
api.add_router("", checklist_router)


@api.exception_handler(ValidationError)
def request_not_understood(request, exc: ValidationError):
    """A body that is not JSON or not the documented shape: 400, in the same errors format
    as the forms' (the field is where in the body it went wrong)."""
    errors = []
    for problem in exc.errors:
        where = [str(part) for part in problem.get("loc", ()) if part not in ("body", "payload")]
        errors.append(AnswerError("(request)", None, ".".join(where) or None, problem["msg"]))
    return errors_response(errors, 400)


@api.exception_handler(HttpError)
def request_refused(request, exc: HttpError):
    """Not signed in (401), a failed CSRF check (403), a body ninja cannot parse (400) or one
    too large (413): the same errors format, so a client reads one shape whatever went wrong."""
    status, message = exc.status_code, str(exc)
    if isinstance(exc.__cause__, BodyRefused):
        status, message = exc.__cause__.status, exc.__cause__.message
    return errors_response([AnswerError("(request)", None, None, message)], status)


@api.exception_handler(RequestDataTooBig)
def body_over_the_site_limit(request, exc: RequestDataTooBig):
    return errors_response([AnswerError("(request)", None, None, TOO_LARGE)], 413)


__all__ = ["api"]
