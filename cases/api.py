"""The case library's read endpoints on the JSON API (mounted by clusterdx/api.py).

They answer with JsonResponse themselves, so their shapes stay exactly what they were before
the API moved onto django-ninja (tests/test_api.py)."""

from django.core.validators import slug_re
from django.http import HttpRequest, JsonResponse
from ninja import Router

from . import payloads
from .derived import json_response
from .models import CaseStudy

router = Router(tags=["case library"])


def is_case_slug(value: str) -> bool:
    """Whether `value` could name a case: the API takes any text in the path, so text no slug
    can be is answered 404 without a query."""
    return len(value) <= CaseStudy._meta.get_field("slug").max_length and bool(slug_re.match(value))


def case_not_found(slug: str) -> JsonResponse:
    return JsonResponse({"error": f"No case study with slug '{slug}'."}, status=404)


@router.get("/cases/", url_name="case-list", summary="The five cases, each with its URL")
def case_list(request: HttpRequest):
    def build():
        cases = CaseStudy.objects.prefetch_related("clusters")
        return {"cases": [payloads.case_summary(c, request) for c in cases]}

    # Computed once per data version (cases.derived); the payload's links are absolute, so the
    # host asked for is part of the key.
    return json_response("api-case-list", request.build_absolute_uri("/"), build=build)


@router.get(
    "/cases/{slug}/",
    url_name="case-detail",
    summary="One case in full, every row with its provenance (404: unknown slug)",
)
def case_detail(request: HttpRequest, slug: str):
    # Text no slug can be is a 404 without a query; a cached payload needs no case query.
    if not is_case_slug(slug) or not CaseStudy.objects.filter(slug=slug).exists():
        return case_not_found(slug)
    return json_response(
        "api-case-detail",
        slug,
        build=lambda: payloads.case_detail(CaseStudy.objects.with_library().get(slug=slug)),
        ensure_ascii=False,
    )
