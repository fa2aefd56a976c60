"""The JSON API (django-ninja): the routers of the apps, the OpenAPI schema at /api/schema/
and its docs at /api/docs/.

The docs page is ninja's Swagger UI served from the installed package's static files ("ninja"
is in INSTALLED_APPS, so nothing comes from a CDN); its template has no inline script (the
settings travel as a JSON data block read by ninja's static swagger-ui-init.js), so the site's
CSP (script-src 'self') holds there too.
"""

from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from cases.api import router as cases_router
from checklist.answers import AnswerError
from checklist.api import errors_response
from checklist.api import router as checklist_router

api = NinjaAPI(
    title="ClusterDx API",
    version="1",
    description="The case library, scorecards, and assessments' answers in and out "
    "(README: 'JSON API').",
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs/",
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
    """Not signed in (401), a failed CSRF check (403), a body ninja cannot parse (400): the
    same errors format, so a client reads one shape whatever went wrong."""
    return errors_response([AnswerError("(request)", None, None, str(exc))], exc.status_code)


__all__ = ["api"]
